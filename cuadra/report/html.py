"""cuadra's own evidence index: a static page an auditor opens first, in Spanish, offline.

One job: render a Run as one self-contained HTML page (inline CSS, no script, no remote asset),
every value escaped because quotes and values are untrusted input. It links the GX Data Docs.
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path

from cuadra.findings import Finding, Run

__all__ = ["render_index"]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1d2733;background:#fafbfc}
h1{font-size:1.6rem;margin-bottom:.2rem} .meta{color:#5b6876;font-size:.9rem}
table{border-collapse:collapse;margin:1rem 0;width:100%;background:#fff}
th,td{border:1px solid #d8dee4;padding:.35rem .5rem;vertical-align:top;font-size:.88rem;text-align:left}
th{background:#eef2f6} .fail{color:#b3261e;font-weight:600} .pass{color:#1e7b34}
.indeterminate{color:#8a6100} .waived{color:#5b6876} .error{color:#7b1fa2;font-weight:700}
.cards{display:flex;gap:1rem;flex-wrap:wrap} .card{background:#fff;border:1px solid #d8dee4;border-radius:6px;
padding:.6rem 1rem;min-width:7rem} .card b{display:block;font-size:1.5rem}
q{font-style:italic;color:#38424d}
"""


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _iv(x: tuple[float | None, float | None]) -> str:
    return "—" if x[0] is None else f"[{x[0]:,.6g}, {x[1]:,.6g}]"


def _row(f: Finding) -> str:
    figs = "<br>".join(
        f"<code>{_e(x.concept)}</code> [{_e(x.period)}] = <b>{_e(x.published or x.value)}</b> "
        f"({_e(x.source)}:{_e(x.locator)}) <q>{_e(x.quote)}</q>" for x in f.facts)
    return (f"<tr><td><code>{_e(f.rule)}</code><br>{_e(f.titulo)}</td><td>{_e(f.key)}</td>"
            f"<td class='{_e(f.status)}'>{_e(f.status)}</td><td>{_e(f.severity)}</td>"
            f"<td><code>{_e(f.expr)}</code></td><td>{_e(_iv(f.lhs))}</td><td>{_e(_iv(f.rhs))}</td>"
            f"<td>{_e(f'{f.imbalance:,.6g}' if f.imbalance else '')} {_e(f.reason)}"
            f"{'<br>Dispensa: ' + _e(f.waiver) if f.waiver else ''}</td><td>{figs}</td></tr>")


def render_index(run: Run, out: Path, gx_index: Path | None) -> Path:
    s = run.summary()
    by_kind = Counter((f.kind, f.status) for f in run.findings)
    kinds = sorted({k for k, _ in by_kind})
    cards = "".join(f"<div class='card {k}'><b>{s[k]}</b>{k}</div>"
                    for k in ("instances", "pass", "fail", "indeterminate", "waived", "error"))
    kind_rows = "".join(
        f"<tr><td>{_e(k)}</td>" + "".join(f"<td>{by_kind[(k, st)]}</td>"
                                           for st in ("pass", "fail", "indeterminate", "waived", "error"))
        + "</tr>" for k in kinds)
    attention = [f for f in run.findings if f.status in ("fail", "error", "indeterminate", "waived")]
    attention.sort(key=lambda f: ({"error": 0, "fail": 1, "waived": 2, "indeterminate": 3}[f.status], f.rule))
    gx = (f"<p><a href='{_e(gx_index.relative_to(out.parent).as_posix())}'>Data Docs de Great Expectations</a>"
          " (la suite, la validación y cada expectativa)</p>" if gx_index else "")
    page = f"""<!doctype html><html lang="es"><head><meta charset="utf-8">
<title>cuadra — validación de {_e(run.dataset)}</title><style>{_CSS}</style></head><body>
<h1>cuadra: ¿cuadran las cifras?</h1>
<p class="meta">Conjunto de datos <code>{_e(run.dataset)}</code> ({run.n_facts} hechos, huella {_e(run.dataset_hash)});
validado el {_e(run.started)} con cuadra {_e(run.version)}, catálogo {_e(run.catalogue_hash)},
motores {_e(", ".join(run.backends))}; {run.seconds:.1f} s.</p>
<div class="cards">{cards}</div>{gx}
<h2>Por tipo de regla</h2><table><tr><th>tipo</th><th>pass</th><th>fail</th><th>indeterminate</th>
<th>waived</th><th>error</th></tr>{kind_rows}</table>
<h2>Hallazgos</h2><table><tr><th>regla</th><th>instancia</th><th>estado</th><th>severidad</th><th>fórmula</th>
<th>izquierda</th><th>derecha</th><th>desbalance</th><th>cifras y citas</th></tr>
{"".join(_row(f) for f in attention)}</table></body></html>"""
    out.write_text(page, encoding="utf-8")
    return out
