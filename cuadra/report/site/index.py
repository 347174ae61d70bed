"""The index an auditor opens first: what was validated, when, by which version, and what it found.

One job: the verdict as the command line states it, counts by severity × status (the same as the
findings JSON), by document (with its title) and by rule kind; summaries of what was not checked,
of the waivers and of the manifest, each linking to its page; links to the GX Data Docs; and the
table of every finding that needs attention, sortable and filterable (status, severity, document,
kind, free text) by our own small script, with the unit of every figure. Passing instances are
counted here but listed on the document pages, so the index stays light however many pass.
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
    plural,
    status_badge,
)
from cuadra.report.site.context import SiteContext, documents_of
from cuadra.report.site.coverage import Coverage, coverage_summary
from cuadra.report.site.manifest import manifest_summary
from cuadra.report.site.waivers import waivers_summary
from cuadra.report.site.words import parse_or_none

__all__ = ["render_index", "attention_order"]

_ORDER = {s: i for i, s in enumerate(ATTENTION)}
_STATUSES = ("pass", *ATTENTION)


def attention_order(f: Finding) -> tuple[int, int, str, str]:
    return (_ORDER.get(f.status, 9), 0 if f.severity == "error" else 1, f.rule, f.key)


def _crosstab(title: str, rows: Sequence[str], counts: Counter[tuple[str, str]],
              link: Callable[[str], str] | None = None, *, axis: str = "", total: bool = False) -> str:
    """Rows × statuses, each cell tagged with its row and status (the tests compare them with the JSON)."""
    head = "".join(f"<th class='n'>{e(STATUS_ES[s])}</th>" for s in _STATUSES)

    def cells(r: str) -> str:
        return "".join(f"<td class='n' data-{axis or 'row'}='{e(r)}' data-status='{s}'>{counts[(r, s)]}</td>"
                       for s in _STATUSES)

    body = "".join(f"<tr><td>{link(r) if link else e(r)}</td>{cells(r)}"
                   f"<td class='n'><b>{sum(counts[(r, s)] for s in _STATUSES)}</b></td></tr>" for r in rows)
    foot = ""
    if total:
        foot = ("<tfoot><tr><th>total</th>" + "".join(
            f"<th class='n'>{sum(counts[(r, s)] for r in rows)}</th>" for s in _STATUSES)
            + f"<th class='n'>{sum(counts.values())}</th></tr></tfoot>")
    return (f"<div class='wide'><table class='tab sortable'><thead><tr><th>{e(title)}</th>{head}"
            f"<th class='n'>total</th></tr></thead><tbody>{body}</tbody>{foot}</table></div>")


def _options(name: str, label: str, values: Sequence[tuple[str, str]]) -> str:
    opts = "".join(f"<option value='{e(v)}'>{e(t)}</option>" for v, t in values)
    return (f"<label>{e(label)}<select data-filter='{e(name)}' aria-label='{e(label)}'>"
            f"<option value=''>(todos)</option>{opts}</select></label>")


def _finding_row(f: Finding, ctx: SiteContext, expired: set[tuple[str, str]]) -> str:
    docs = documents_of(f)
    unit = ctx.unit_of(f, parse_or_none(f.expr))
    gap = "" if f.imbalance is None or f.imbalance == 0 else num(f.imbalance, digits=6)
    rel = "" if not gap or f.imbalance_rel is None else f" ({percent(f.imbalance_rel)})"
    figs = "; ".join(x.published or num(x.value) for x in f.facts[:4]) + (" …" if len(f.facts) > 4 else "")
    fig_unit = next((ctx.units[x.concept] for x in f.facts if x.concept in ctx.units), "")
    note = (" <span class='badge st-fail'>dispensa vencida</span>" if (f.rule, f.key) in expired else "")
    sort_gap = "" if f.imbalance is None else repr(float(f.imbalance_rel if f.imbalance_rel is not None
                                                         else f.imbalance))
    return (f"<tr data-status='{e(f.status)}' data-severity='{e(f.severity)}' data-kind='{e(f.kind)}' "
            f"data-doc='{e(' '.join(docs))}'><td data-sort='{_ORDER.get(f.status, 9)}'>{status_badge(f.status)}{note}</td>"
            f"<td class='sev-{e(f.severity)}' data-sort='{0 if f.severity == 'error' else 1}'>"
            f"{e(SEVERITY_ES.get(f.severity, f.severity))}</td><td>{e(f.kind)}</td>"
            f"<td><a href='hallazgos/{e(finding_slug(f.rule, f.key))}'>{e(f.titulo)}</a><br><code>{e(f.rule)}</code></td>"
            f"<td><code>{e(f.key)}</code></td><td>{'<br>'.join(ctx.doc_html(d, short=True) for d in docs)}</td>"
            f"<td>{e(figs)}{' <span class=meta>(' + e(fig_unit) + ')</span>' if figs and fig_unit else ''}</td>"
            f"<td class='n' data-sort='{sort_gap}'>{e(gap)}{' ' + e(unit) if gap and unit else ''}{e(rel)}</td></tr>")


def _verdict(run: Run, fail_on: str) -> str:
    """The verdict in the command line's words: ``FALLA: 19 hallazgos con severidad ≥ error``."""
    blocking = run.failing(fail_on)
    word = "FALLA" if blocking else "OK"
    return (f"<div class='verdict {'bad' if blocking else 'good'}' id='veredicto'><b>{word}</b>: "
            f"{plural(len(blocking), 'hallazgo', 'hallazgos')} con severidad ≥ {e(fail_on)} "
            f"<span class='meta'>(umbral <code>--fail-on {e(fail_on)}</code>; el código de salida fue "
            f"{1 if blocking else 0})</span></div>")


def render_index(run: Run, ctx: SiteContext, documents: Sequence[str], cov: Coverage) -> str:
    s = run.summary()
    counts = run.counts()
    sev_rows = [*SEVERITY_ES, *sorted({f.severity for f in run.findings} - set(SEVERITY_ES))]
    by_sev: Counter[tuple[str, str]] = Counter((f.severity, f.status) for f in run.findings)
    by_kind: Counter[tuple[str, str]] = Counter((f.kind, f.status) for f in run.findings)
    by_doc: Counter[tuple[str, str]] = Counter()
    for f in run.findings:
        for d in documents_of(f):
            by_doc[(d, f.status)] += 1
    kinds = sorted({f.kind for f in run.findings})
    attention = sorted((f for f in run.findings if f.status in ATTENTION), key=attention_order)
    expired = {(w.waiver.rule, w.waiver.key) for w in ctx.waivers if w.state.startswith("vencida")}
    # As GX counts them (expectations.verdict): a backend disagreement fails its rule's expectation.
    rules_failing = len({f.rule.removeprefix("backend.desacuerdo.") for f in run.findings
                         if f.status in ("fail", "error")})

    cards = f"<div class='card'><b>{s['instances']:,}</b>instancias evaluadas</div>" + "".join(
        f"<a class='card st-{st}' href='#f-{st}'><b>{counts[st]:,}</b>{e(STATUS_ES[st])}</a>" if st in ATTENTION
        else f"<div class='card st-{st}'><b>{counts[st]:,}</b>{e(STATUS_ES[st])}</div>" for st in _STATUSES)
    gx = ""
    if ctx.gx_index:
        gx = (f"<p>Evidencia estándar: <a href='{e(ctx.gx_index)}'>Data Docs de Great Expectations</a> "
              f"(la suite con una expectativa por regla"
              + (f", y <a href='{e(ctx.gx_validation)}'>el resultado de esta validación</a>" if ctx.gx_validation
                 else "") + f"), sin conexión. Allí, una expectativa falla solo si alguna instancia de su regla "
              f"no cumple: {plural(rules_failing, 'regla', 'reglas')} con hallazgos, como aquí.</p>")
    doc_rows = [*documents, *([NO_DOC] if any(d == NO_DOC for d, _ in by_doc) else [])]

    def doc_link(d: str) -> str:
        return d if d == NO_DOC else f"<a href='documentos/{e(doc_slug(d))}'>{ctx.doc_html(d)}</a>"

    filters = ("<div class='filters'>"
               + _options("status", "estado", [(st, STATUS_ES[st]) for st in ATTENTION if counts[st]])
               + _options("severity", "severidad", [(k, v) for k, v in SEVERITY_ES.items()])
               + _options("doc", "documento", [(d, d) for d in documents]
                          + ([(NO_DOC, NO_DOC)] if any(NO_DOC in documents_of(f) for f in attention) else []))
               + _options("kind", "tipo de regla", [(k, k) for k in kinds])
               + "<label>buscar<input type='search' data-filter='q' placeholder='regla, concepto, cifra…'></label>"
               + "<span id='shown'></span></div>")
    rows = "".join(_finding_row(f, ctx, expired) for f in attention)
    body = (f"<h1>¿Cuadran las cifras? Validación de <code>{e(run.dataset)}</code></h1>"
            f"{_verdict(run, ctx.fail_on)}"
            f"<p class='meta'>{run.n_facts:,} cifras publicadas · {run.n_rules:,} reglas (catálogo "
            f"<code>{e(run.catalogue_hash)}</code>)<br>"
            f"Validado el <b>{e(run.started)}</b> con <b>cuadra {e(run.version)}</b>, motores "
            f"{e(', '.join(run.backends))}, en {run.seconds:.1f} s.</p>{manifest_summary(ctx.manifest)}"
            f"<div class='cards'>{cards}</div>{gx}"
            f"<h2 id='severidad'>Por severidad y estado</h2>"
            f"<p class='meta'>Las mismas cuentas que el JSON de hallazgos. «Error de evaluación» es un estado (la "
            f"regla no pudo evaluarse); «error» y «advertencia» son severidades.</p>"
            f"{_crosstab('severidad', sev_rows, by_sev, lambda r: e(SEVERITY_ES.get(r, r)), axis='severity', total=True)}"
            f"<h2 id='no-verificado'>Qué no se verificó</h2>{coverage_summary(cov)}"
            f"<h2 id='dispensas'>Dispensas</h2>{waivers_summary(ctx, run.findings)}"
            f"<h2>Por documento</h2>"
            f"<p class='meta'>Cada documento tiene su página con las reglas que cumple, instancia por instancia, "
            f"y su texto fuente con una ancla por línea.</p>"
            f"{_crosstab('documento', doc_rows, by_doc, doc_link, axis='doc')}"
            f"<h2>Por tipo de regla</h2>{_crosstab('tipo', kinds, by_kind, axis='kind')}"
            f"<h2 id='hallazgos'>Hallazgos ({len(attention):,})</h2>"
            + "".join(f"<span id='f-{st}'></span>" for st in ATTENTION) +
            f"<p class='meta'>Todo lo que no cumple, no puede decidirse o está dispensado; cada fila abre su "
            f"página de evidencia. Pulse un encabezado para ordenar.</p>{filters}"
            f"<div class='wide'><table id='findings' class='sortable'><thead><tr><th>estado</th><th>severidad</th>"
            f"<th>tipo</th><th>regla</th><th>instancia</th><th>documento</th><th>cifras (unidad)</th>"
            f"<th class='n'>desbalance (unidad, % relativo)</th></tr></thead><tbody>{rows}</tbody></table></div>")
    return page(f"cuadra — {run.dataset}", body, depth=0)
