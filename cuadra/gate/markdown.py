"""The gate as a pull-request comment or a CI job summary (GitHub-flavoured Markdown).

One job: a short page a steward reads in the pull request: the verdict and the counts first, then
the new findings (rule title in Spanish, figures, provenance), then the data revisions with both
values and both provenances, then resolved and known findings. Long lists are cut at ``limit``
with a pointer to the JSON, so a comment stays within what a CI system accepts.
"""

from __future__ import annotations

from cuadra.escape import md_code, md_text
from cuadra.findings import Finding
from cuadra.gate.diff import FindingChange
from cuadra.gate.identity import FactState
from cuadra.gate.revisions import FactChange
from cuadra.gate.run import GateResult

__all__ = ["render_markdown"]

KIND_ES = {"revision": "revisión", "refinement": "refinamiento", "restated": "reexpresado"}


def _cell(text: object) -> str:
    """Every data string (a quote, a source, a title) as inert Markdown on one line (issue 15)."""
    return md_text(text)


SCALE_WORDS = {0: "", 3: " miles", 6: " millones", 9: " miles de millones", 12: " billones"}


def _iv(x: tuple[float | None, float | None]) -> str:
    return "—" if x[0] is None or x[1] is None else f"[{x[0]:,.10g}, {x[1]:,.10g}]"


def _value(value: float | None, scale: int, decimals: int, status: str = "") -> str:
    """The figure as registered (value at its scale and decimals), not the published text: in a
    revision the published text may be the very thing that did not change."""
    if value is None:
        return status or "—"
    word = SCALE_WORDS.get(scale, f" ×10^{scale}")
    return f"{value:,.{decimals}f}{word}{' p/' if status == 'preliminar' else ''}"


def _fig(f: FactState) -> str:
    return _value(f.value, f.scale, f.decimals, f.status)


def _finding(f: Finding, extra: str = "") -> list[str]:
    gap = f", desbalance {f.imbalance:,.10g}" if f.imbalance else ""
    lines = [f"- **{_cell(f.titulo or f.rule)}** ({md_code(f.rule)}, {md_code(f.key)}, {_cell(f.severity)}){extra}: "
             f"izquierda "
             f"{_iv(f.lhs)}, derecha {_iv(f.rhs)}{gap}{'. ' + _cell(f.reason) if f.reason else ''}"]
    for x in f.facts[:8]:
        lines.append(f"  - {md_code(f'{x.concept}[{x.period}]')} = "
                     f"{_cell(_value(x.value, x.scale, x.decimals, x.status))} — "
                     f"{_cell(f'{x.source}:{x.locator}')} «{_cell(x.quote[:120])}»")
    if len(f.facts) > 8:
        lines.append(f"  - … y {len(f.facts) - 8} cifras más")
    return lines


def _changes(items: list[FindingChange], limit: int, extra: bool = False) -> list[str]:
    out: list[str] = []
    for c in items[:limit]:
        note = f" — antes {_cell(c.base_status)}, ahora {_cell(c.head_status)}" if extra else ""
        out += _finding(c.current, note)
    if len(items) > limit:
        out.append(f"- … y {len(items) - limit} más (véase el JSON del gate)")
    return out


def _revisions(items: list[FactChange], limit: int) -> list[str]:
    out = ["| tipo | concepto | periodo | antes | después | estado | procedencia |", "|---|---|---|---|---|---|---|"]
    for c in items[:limit]:
        out.append(f"| {KIND_ES[c.kind]} | {md_code(c.base.concept)} | {_cell(c.base.period)} | "
                   f"{_cell(_fig(c.base))} | "
                   f"{_cell(_fig(c.head))} | {_cell(c.status_flip or c.head.status)} | {_cell(c.base.where)} → "
                   f"{_cell(c.head.where)} |")
    if len(items) > limit:
        out.append(f"\n… y {len(items) - limit} más (véase el JSON del gate)")
    return out


def render_markdown(g: GateResult, *, limit: int = 25) -> str:
    fc, dc = g.findings.counts(), g.data.counts()
    blocking = g.blocking
    verdict = (f"❌ **{len(blocking)} hallazgo(s) nuevo(s)** con severidad ≥ {g.fail_on}" if blocking
               else f"✅ **sin hallazgos nuevos** con severidad ≥ {g.fail_on}")
    out = [f"## cuadra gate: {verdict}", "",
           f"BASE {md_code(g.base.label)} → HEAD {md_code(g.head.label)} · {len(g.head.facts):,} hechos · "
           f"{g.run.n_rules} reglas · {g.seconds:.1f} s", "",
           "| nuevos | cambiados | resueltos | conocidos | revisiones | refinamientos | reexpresados | añadidos | "
           "eliminados |", "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
           f"| {fc['new']} | {fc['changed']} | {fc['resolved']} | {fc['known']} | {dc['revision']} | "
           f"{dc['refinement']} | {dc['restated']} | {dc['added'] if g.data.complete else '?'} | {dc['removed']} |",
           ""]
    out += [f"> {_cell(n)}" for n in g.notes]
    if g.notes:
        out.append("")
    sections: list[tuple[str, list[str]]] = [
        ("Hallazgos nuevos", _changes(g.findings.new, limit, extra=True)),
        ("Revisiones de datos", _revisions([c for c in g.data.changes if c.kind != "restated"], limit)
         if g.data.revisions else []),
        ("Cifras reexpresadas (mismo valor; cambia estado o precisión)",
         _revisions([c for c in g.data.changes if c.kind == "restated"], limit)
         if dc["restated"] else []),
        ("Hallazgos cambiados (no bloquean)", _changes(g.findings.changed, limit, extra=True)),
        ("Hallazgos resueltos", _changes(g.findings.resolved, limit, extra=True)),
    ]
    for title, body in sections:
        if body:
            out += [f"### {title}", "", *body, ""]
    if g.findings.known:
        out += [f"<details><summary>Hallazgos conocidos, sin cambio ({fc['known']}; no bloquean)</summary>", "",
                *_changes(g.findings.known, limit), "", "</details>", ""]
    if g.data.added or g.data.removed:
        out += [f"Hechos añadidos: {dc['added']} · eliminados: {dc['removed']} (lista completa en el JSON del gate)",
                ""]
    for e in g.head.expired_waivers:
        out.append(f"- ⚠️ waiver: {_cell(e)}")
    return "\n".join(out).rstrip() + "\n"
