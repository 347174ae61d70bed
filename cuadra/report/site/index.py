"""The index an auditor opens first: what was validated, when, by which version, and what it found.

One job: counts by status, severity, document and rule kind, links to the per-document pages, the
source texts and the GX Data Docs, and the table of every finding that needs attention with
filters (status, severity, document, kind, free text) driven by our own small script. Passing
instances are counted here but listed on the document pages, so the index stays light however
many instances pass.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from cuadra.findings import Finding, Run
from cuadra.report.site.common import (
    ATTENTION,
    NO_DOC,
    SEVERITY_ES,
    STATUS_ES,
    doc_slug,
    e,
    finding_slug,
    num,
    page,
    percent,
    status_badge,
)
from cuadra.report.site.context import SiteContext, documents_of
from cuadra.rules.catalogue import Rule

__all__ = ["render_index", "attention_order"]

_ORDER = {s: i for i, s in enumerate(ATTENTION)}
_STATUSES = ("pass", *ATTENTION)


def attention_order(f: Finding) -> tuple[int, int, str, str]:
    return (_ORDER.get(f.status, 9), 0 if f.severity == "error" else 1, f.rule, f.key)


def _crosstab(title: str, rows: Sequence[str], counts: Counter[tuple[str, str]],
              link: Callable[[str], str] | None = None) -> str:
    head = "".join(f"<th class='n'>{e(STATUS_ES[s])}</th>" for s in _STATUSES)
    body = "".join(
        f"<tr><td>{link(r) if link else e(r)}</td>"
        + "".join(f"<td class='n'>{counts[(r, s)] or ''}</td>" for s in _STATUSES)
        + f"<td class='n'><b>{sum(counts[(r, s)] for s in _STATUSES)}</b></td></tr>" for r in rows)
    return (f"<table class='tab'><thead><tr><th>{e(title)}</th>{head}<th class='n'>total</th></tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _options(name: str, label: str, values: Sequence[tuple[str, str]]) -> str:
    opts = "".join(f"<option value='{e(v)}'>{e(t)}</option>" for v, t in values)
    return (f"<label>{e(label)}<select data-filter='{e(name)}' aria-label='{e(label)}'>"
            f"<option value=''>(todos)</option>{opts}</select></label>")


def _finding_row(f: Finding) -> str:
    docs = documents_of(f)
    gap = "" if f.imbalance is None or f.imbalance == 0 else num(f.imbalance, digits=6)
    rel = "" if not gap or f.imbalance_rel is None else f" ({percent(f.imbalance_rel)})"
    figs = "; ".join(x.published or num(x.value) for x in f.facts[:4]) + (" …" if len(f.facts) > 4 else "")
    return (f"<tr data-status='{e(f.status)}' data-severity='{e(f.severity)}' data-kind='{e(f.kind)}' "
            f"data-doc='{e(' '.join(docs))}'><td>{status_badge(f.status)}</td>"
            f"<td class='sev-{e(f.severity)}'>{e(SEVERITY_ES.get(f.severity, f.severity))}</td><td>{e(f.kind)}</td>"
            f"<td><a href='hallazgos/{e(finding_slug(f.rule, f.key))}'>{e(f.titulo)}</a><br><code>{e(f.rule)}</code></td>"
            f"<td><code>{e(f.key)}</code></td><td>{'<br>'.join(e(d) for d in docs)}</td>"
            f"<td>{e(figs)}</td><td class='n'>{e(gap)}{e(rel)}</td></tr>")


def render_index(run: Run, ctx: SiteContext, documents: Sequence[str], rules: Sequence[Rule]) -> str:
    s = run.summary()
    counts = run.counts()
    by_sev: Counter[tuple[str, str]] = Counter((SEVERITY_ES.get(f.severity, f.severity), f.status)
                                               for f in run.findings)
    by_kind: Counter[tuple[str, str]] = Counter((f.kind, f.status) for f in run.findings)
    by_doc: Counter[tuple[str, str]] = Counter()
    for f in run.findings:
        for d in documents_of(f):
            by_doc[(d, f.status)] += 1
    kinds = sorted({f.kind for f in run.findings})
    attention = sorted((f for f in run.findings if f.status in ATTENTION), key=attention_order)

    cards = f"<div class='card'><b>{s['instances']}</b>instancias evaluadas</div>" + "".join(
        f"<a class='card st-{st}' href='#f-{st}'><b>{counts[st]}</b>{e(STATUS_ES[st])}</a>" if st in ATTENTION
        else f"<div class='card st-{st}'><b>{counts[st]}</b>{e(STATUS_ES[st])}</div>" for st in _STATUSES)
    gx = ""
    if ctx.gx_index:
        gx = (f"<p>Evidencia estándar: <a href='{e(ctx.gx_index)}'>Data Docs de Great Expectations</a> "
              f"(la suite con una expectativa por regla"
              + (f", y <a href='{e(ctx.gx_validation)}'>el resultado de esta validación</a>" if ctx.gx_validation
                 else "") + "), sin conexión: sus estilos y scripts se sirven desde esta carpeta.</p>")
    expired = ""
    if run.expired_waivers:
        expired = ("<h2>Dispensas caducadas o sin uso</h2><ul>"
                   + "".join(f"<li class='warn'>{e(w)}</li>" for w in run.expired_waivers) + "</ul>")
    unused = [r for r in rules if r.id not in {f.rule for f in run.findings}]
    unused_html = ""
    if unused:
        unused_html = ("<details><summary>" + f"{len(unused)} regla(s) del catálogo sin instancias en este "
                       "conjunto (sus conceptos no aparecen en ningún periodo)</summary><ul>"
                       + "".join(f"<li><code>{e(r.id)}</code> — {e(r.titulo)}</li>" for r in unused)
                       + "</ul></details>")

    def doc_link(d: str) -> str:
        return d if d == NO_DOC else f"<a href='documentos/{e(doc_slug(d))}'>{e(d)}</a>"

    filters = ("<div class='filters'>"
               + _options("status", "estado", [(st, STATUS_ES[st]) for st in ATTENTION if counts[st]])
               + _options("severity", "severidad", [(k, v) for k, v in SEVERITY_ES.items()])
               + _options("doc", "documento", [(d, d) for d in documents]
                          + ([(NO_DOC, NO_DOC)] if any(NO_DOC in documents_of(f) for f in attention) else []))
               + _options("kind", "tipo de regla", [(k, k) for k in kinds])
               + "<label>buscar<input type='search' data-filter='q' placeholder='regla, concepto, cifra…'></label>"
               + "<span id='shown'></span></div>")
    rows = "".join(_finding_row(f) for f in attention)
    body = (f"<h1>¿Cuadran las cifras? Validación de <code>{e(run.dataset)}</code></h1>"
            f"<p class='meta'>{run.n_facts} cifras publicadas · {run.n_rules} reglas (catálogo "
            f"<code>{e(run.catalogue_hash)}</code>) · huella del conjunto <code>{e(run.dataset_hash)}</code><br>"
            f"Validado el <b>{e(run.started)}</b> con <b>cuadra {e(run.version)}</b>, motores "
            f"{e(', '.join(run.backends))}, en {run.seconds:.1f} s.</p>"
            f"<div class='cards'>{cards}</div>{gx}"
            f"<h2>Por estado y severidad</h2>{_crosstab('severidad', sorted({k for k, _ in by_sev}), by_sev)}"
            f"<h2>Por documento</h2>"
            f"<p class='meta'>Cada documento tiene su página con las reglas que cumple, instancia por instancia, "
            f"y su texto fuente con una ancla por línea.</p>"
            f"{_crosstab('documento', [*documents, *([NO_DOC] if any(d == NO_DOC for d, _ in by_doc) else [])], by_doc, doc_link)}"
            f"<h2>Por tipo de regla</h2>{_crosstab('tipo', kinds, by_kind)}{unused_html}{expired}"
            f"<h2 id='hallazgos'>Hallazgos ({len(attention)})</h2>"
            + "".join(f"<span id='f-{st}'></span>" for st in ATTENTION) +
            f"<p class='meta'>Todo lo que no cumple, no puede decidirse o está dispensado; cada fila abre su "
            f"página de evidencia.</p>{filters}"
            f"<table id='findings'><thead><tr><th>estado</th><th>severidad</th><th>tipo</th><th>regla</th>"
            f"<th>instancia</th><th>documento</th><th>cifras</th><th class='n'>desbalance</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
    return page(f"cuadra — {run.dataset}", body, depth=0)
