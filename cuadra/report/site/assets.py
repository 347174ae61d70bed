"""The site's own stylesheet and script, written beside the pages (no CDN, no framework).

One job: two small static files. The script is progressive: with scripting disabled every page
still shows everything (the filters only hide rows, sorting only reorders them); it never fetches
anything. The stylesheet keeps a 420 px screen free of horizontal scrolling (wide tables scroll
inside their own box, long ids wrap) and prints one finding per page, without filters, with the
quoted source lines unfolded.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CSS", "JS", "write_assets"]

CSS = """
:root{--ink:#1d2733;--mute:#5b6876;--line:#d8dee4;--bg:#f4f6f9;--card:#fff;--acc:#0b5d75;
--fail:#b3261e;--pass:#1e7b34;--ind:#8a6100;--wai:#55606c;--err:#7b1fa2}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:var(--ink);
background:var(--bg)}
header.top{background:var(--acc);color:#fff;padding:.6rem 1.5rem;display:flex;gap:1rem;align-items:baseline}
header.top a{color:#dff3f8} .brand{font-weight:700;letter-spacing:.04em;font-size:1.1rem}
main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem 3rem}
h1{font-size:1.55rem;margin:.6rem 0 .3rem} h2{font-size:1.2rem;margin:1.6rem 0 .5rem;
border-bottom:2px solid var(--line);padding-bottom:.2rem} h3{font-size:1rem;margin:1rem 0 .4rem}
.meta{color:var(--mute);font-size:.9rem} code{font-size:.86em;background:#eef2f6;padding:0 .25em;border-radius:3px;
overflow-wrap:anywhere}
a{color:var(--acc)}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%;background:var(--card)}
th,td{border:1px solid var(--line);padding:.35rem .55rem;vertical-align:top;font-size:.88rem;text-align:left}
th{background:#e7edf3;font-weight:600} td.n,th.n{text-align:right;font-variant-numeric:tabular-nums} td.n .meta{text-align:left}
tr:nth-child(even) td{background:#fafbfc}
.cards{display:flex;gap:.8rem;flex-wrap:wrap;margin:1rem 0}
a.card{color:inherit;text-decoration:none} a.card:hover{box-shadow:0 1px 4px #0002}
.card{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--mute);border-radius:6px;
padding:.5rem 1rem;min-width:8.5rem}
.card b{display:block;font-size:1.6rem;line-height:1.2}
.card.st-fail{border-left-color:var(--fail)} .card.st-pass{border-left-color:var(--pass)}
.card.st-indeterminate{border-left-color:var(--ind)} .card.st-waived{border-left-color:var(--wai)}
.card.st-error{border-left-color:var(--err)}
.badge{display:inline-block;border-radius:999px;padding:0 .6em;font-size:.8rem;font-weight:600;color:#fff;
background:var(--mute);white-space:nowrap}
.badge.st-fail{background:var(--fail)} .badge.st-pass{background:var(--pass)}
.badge.st-indeterminate{background:var(--ind)} .badge.st-waived{background:var(--wai)}
.badge.st-error{background:var(--err)}
.sev-error{color:var(--fail);font-weight:600} .sev-warning{color:var(--ind)}
.panel{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
.formula{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.95rem;background:#f0f4f8;
padding:.5rem .7rem;border-radius:4px;overflow-x:auto;white-space:normal}
.formula .cmp{font-weight:700;color:var(--acc);padding:0 .3em}
.formula .iv{color:#3a2c7a}
blockquote{margin:.3rem 0;padding:.3rem .7rem;border-left:4px solid #b9c6d3;background:#f7f9fb;font-style:italic}
.warn{color:var(--fail)} .ok{color:var(--pass)}
.filters{display:flex;gap:.8rem;flex-wrap:wrap;align-items:end;background:var(--card);border:1px solid var(--line);
border-radius:6px;padding:.6rem .8rem} .filters label{font-size:.8rem;color:var(--mute);display:flex;
flex-direction:column;gap:.15rem} .filters select,.filters input{font:inherit;padding:.2rem .3rem}
#shown{color:var(--mute);font-size:.85rem}
details{background:var(--card);border:1px solid var(--line);border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}
summary{cursor:pointer}
.src{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.82rem;background:var(--card);
border:1px solid var(--line);border-radius:6px;padding:.4rem 0}
.src .l{display:flex;white-space:pre-wrap;overflow-wrap:anywhere;padding:0 .6rem}
.src .l>a{flex:0 0 4.2em;color:#8a96a3;text-decoration:none;text-align:right;padding-right:.8em;user-select:none}
.src .l:target,.src .l.hl{background:#fff3b0}
.excerpt{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.8rem;white-space:pre-wrap;
background:#fbfbf4;border:1px dashed #d9d6b8;padding:.3rem .5rem;margin:.3rem 0}
header.top nav.pages{margin-left:auto;display:flex;gap:.8rem;flex-wrap:wrap}
header.top nav,.meta a{min-width:0;overflow-wrap:anywhere}
p,li,blockquote,h1,h2,h3,.formula,.panel{overflow-wrap:break-word}
header.top{flex-wrap:wrap}
.verdict{font-size:1.15rem;padding:.6rem 1rem;border-radius:6px;margin:.6rem 0;border:1px solid var(--line);
background:var(--card)} .verdict.bad{border-left:8px solid var(--fail)} .verdict.good{border-left:8px solid var(--pass)}
.verdict.bad b{color:var(--fail)} .verdict.good b{color:var(--pass)}
.doctitle{display:block;color:var(--mute);font-size:.8rem}
.wide{overflow-x:auto;max-width:100%}
table.sortable th{cursor:pointer;user-select:none} table.sortable th[aria-sort]::after{content:" ▲";font-size:.7em}
table.sortable th[aria-sort=descending]::after{content:" ▼"}
.src .pg{background:#e7edf3;color:var(--mute);font-size:.75rem;padding:.1rem .6rem;border-top:2px solid var(--acc)}
.src .l .back{margin-left:auto;padding-left:.8em;display:flex;gap:.4em;flex-wrap:wrap;font-family:system-ui,sans-serif;
font-size:.72rem;white-space:normal} .src .l .back a{background:#fff3b0;border-radius:3px;padding:0 .3em}
.src .l>span:first-of-type{flex:1 1 auto;min-width:0}
.panel.waiver h3{margin-top:0} .state{font-weight:700} .state.warn{color:var(--fail)}
code.hash{word-break:break-all}
td code,th code{overflow-wrap:anywhere}
@media (max-width:700px){
 main{padding:.6rem .6rem 2rem} header.top{padding:.5rem .6rem} h1{font-size:1.25rem}
 .card{min-width:6.5rem;padding:.4rem .6rem} .card b{font-size:1.25rem}
 th,td{padding:.25rem .3rem;font-size:.8rem}
 .src .l>a{flex-basis:3em}
 .filters{flex-direction:column;align-items:stretch}
 table{display:block;overflow-x:auto}
}
@media print{
 header.top nav,.filters,#shown,.cards a.card::after{display:none}
 header.top{background:none;color:#000;border-bottom:1px solid #000}
 body{background:#fff;font-size:11pt} main{max-width:none;padding:0}
 a{color:#000;text-decoration:none}
 .wide{overflow:visible}
 tr,blockquote,.panel,.formula,.excerpt{break-inside:avoid}
 details{border:0;padding:0} details>summary{list-style:none;font-weight:600}
 details::details-content{content-visibility:visible;display:block}
 h1,h2,h3{break-after:avoid} main{break-after:page}
}
"""

JS = """
(function(){
  var table=document.getElementById('findings');
  if(table){
    var rows=[].slice.call(table.tBodies[0].rows), sel=[].slice.call(document.querySelectorAll('[data-filter]'));
    var shown=document.getElementById('shown');
    function apply(){
      var want={}, n=0;
      sel.forEach(function(s){want[s.getAttribute('data-filter')]=s.value.toLowerCase();});
      rows.forEach(function(r){
        var ok=true;
        for(var k in want){
          var v=want[k]; if(!v) continue;
          var have=(k==='q')?r.textContent.toLowerCase():(' '+(r.getAttribute('data-'+k)||'')+' ');
          if(have.indexOf(k==='q'?v:' '+v+' ')<0){ok=false;break;}
        }
        r.hidden=!ok; if(ok) n++;
      });
      if(shown) shown.textContent=n+' de '+rows.length+' hallazgos';
    }
    sel.forEach(function(s){s.addEventListener('input',apply);s.addEventListener('change',apply);});
    function fromHash(){
      var h=/^#f-(\\w+)$/.exec(location.hash), st=document.querySelector("select[data-filter='status']");
      if(h&&st){st.value=h[1];}
      apply();
    }
    window.addEventListener('hashchange',fromHash);
    fromHash();
  }
  [].forEach.call(document.querySelectorAll('table.sortable'), function(t){
    var heads=t.tHead?[].slice.call(t.tHead.rows[0].cells):[];
    function key(r,i){var c=r.cells[i]; if(!c) return ''; var s=c.getAttribute('data-sort');
      return s!==null?s:c.textContent.trim();}
    heads.forEach(function(th,i){
      th.tabIndex=0; th.title='ordenar por esta columna';
      function sort(){
        var desc=th.getAttribute('aria-sort')==='ascending', body=t.tBodies[0];
        var rs=[].slice.call(body.rows);
        rs.sort(function(a,b){
          var x=key(a,i), y=key(b,i), nx=parseFloat(x.replace(/[,\\s]/g,'')), ny=parseFloat(y.replace(/[,\\s]/g,''));
          var c=(!isNaN(nx)&&!isNaN(ny)&&/^[-\\d.,\\s]/.test(x)&&/^[-\\d.,\\s]/.test(y))?nx-ny:
                (x===''?1:y===''?-1:x.localeCompare(y,'es'));
          return desc?-c:c;
        });
        rs.forEach(function(r){body.appendChild(r);});
        heads.forEach(function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',desc?'descending':'ascending');
      }
      th.addEventListener('click',sort);
      th.addEventListener('keydown',function(ev){if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();sort();}});
    });
  });
  // Printing shows the quoted source lines folded on screen.
  window.addEventListener('beforeprint',function(){
    [].forEach.call(document.querySelectorAll('details'),function(d){d.open=true;});
  });
  var m=/^#L(\\d+)(?:-L?(\\d+))?$/.exec(location.hash);
  if(m){
    var a=+m[1], b=m[2]?+m[2]:a;
    for(var i=a;i<=b;i++){var el=document.getElementById('L'+i); if(el) el.classList.add('hl');}
    var first=document.getElementById('L'+a); if(first) first.scrollIntoView();
  }
})();
"""


def write_assets(out: Path) -> None:
    folder = out / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cuadra.css").write_text(CSS.lstrip(), encoding="utf-8")
    (folder / "cuadra.js").write_text(JS.lstrip(), encoding="utf-8")
