"""The gate as a pull-request comment or a CI job summary (GitHub-flavoured Markdown).

One job: a short page a steward reads in the pull request: the verdict and the counts first (both
from :class:`cuadra.gate.counts.GateCounts`, so the heading and the table cannot disagree), then the
new findings (rule title in Spanish, figures, provenance), the lost checks (the instance's figures on
BASE and why HEAD no longer decides it), the data revisions with both values and both provenances,
then changed, resolved and known findings. Long lists are cut at ``limit`` with a pointer to the
JSON, so a comment stays within what a CI system accepts. Bad input gets a page too
(:func:`render_invalid`), so CI posts why nothing was compared.

Every string that comes from the data (titles, quotes, reasons, ids, paths, messages) reaches the
page through :func:`_text` or :func:`_code` (:mod:`cuadra.escape`, issue 15) and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from cuadra.escape import md_code, md_text
from cuadra.findings import FactRef, Finding
from cuadra.gate.diff import FindingChange
from cuadra.gate.identity import FactState
from cuadra.gate.lost import LostCheck
from cuadra.gate.revisions import FactChange
from cuadra.gate.run import GateResult
from cuadra.report.figures import STATUS_ES, cifra, interval, num

__all__ = ["render_markdown", "render_invalid", "counts_table"]

KIND_ES = {"revision": "revisión", "refinement": "refinamiento", "restated": "reexpresado"}


def _text(x: object) -> str:
    """Every data string as inert Markdown text on one line (:func:`cuadra.escape.md_text`, issue 15)."""
    return md_text(x)


def _code(x: object) -> str:
    """Ids, keys and paths as a code span when plain, else as text (:func:`cuadra.escape.md_code`)."""
    return md_code(x)


def _fig(f: FactState | FactRef) -> str:
    """The figure as registered (value at its scale and decimals), not the published text: in a
    revision the published text may be the very thing that did not change."""
    return cifra(f.value, f.scale, f.decimals, f.status, f.unit)


def _fact_line(x: FactRef, note: str = "") -> str:
    return (f"  - {_code(f'{x.concept}[{x.period}]')} = {_text(_fig(x))}{note} — {_code(f'{x.source}:{x.locator}')} "
            f"«{_text(x.quote[:120])}»")


def _finding(f: Finding, extra: str = "") -> list[str]:
    gap = f", desbalance {num(f.imbalance)}" if f.imbalance else ""
    lines = [f"- **{_text(f.titulo or f.rule)}** ({_code(f.rule)}, {_code(f.key)}, {_text(f.severity)}){extra}: "
             f"izquierda {interval(*f.lhs)}, derecha {interval(*f.rhs)}{gap}"
             f"{'. ' + _text(f.reason) if f.reason else ''}"]
    lines += [_fact_line(x) for x in f.facts[:8]]
    if len(f.facts) > 8:
        lines.append(f"  - … y {len(f.facts) - 8} cifras más")
    return lines


def _changes(items: list[FindingChange], limit: int, extra: bool = False) -> list[str]:
    out: list[str] = []
    for c in items[:limit]:
        note = f" — antes {STATUS_ES.get(c.base_status, c.base_status)}, ahora " \
               f"{STATUS_ES.get(c.head_status, c.head_status)}" if extra else ""
        out += _finding(c.current, note)
    if len(items) > limit:
        out.append(f"- … y {len(items) - limit} más (véase el JSON del gate)")
    return out


def _lost(items: list[LostCheck], fail_on: str, limit: int) -> list[str]:
    out: list[str] = []
    for c in items[:limit]:
        b = c.base
        state = ("**bloquea**" if c.blocks(fail_on) else
                 f"aceptada: {_text(c.accepted)}" if c.accepted else f"no bloquea (bajo --fail-on {fail_on})")
        head = STATUS_ES.get(c.head_status, c.head_status)
        where = f" como {_code(c.head.key)}" if c.head is not None and c.head.key != b.key else ""
        why = f": {_text(c.head.reason)}" if c.head is not None and c.head.reason else ""
        out.append(f"- **{_text(b.titulo or b.rule)}** ({_code(b.rule)}, {_code(b.key)}, {_text(b.severity)}) — antes "
                   f"{STATUS_ES.get(b.status, b.status)}, ahora {head}{where}{why} · {state}")
        removed = {f.fact_id for f in c.removed}
        changed = {x.base.fact_id: x for x in c.changed}
        for x in b.facts[:8]:
            note = (" — **eliminado en HEAD**" if x.fact_id in removed else
                    f" — **{KIND_ES[changed[x.fact_id].kind]} en HEAD**: {_text(_fig(changed[x.fact_id].head))} "
                    f"[{_text(changed[x.fact_id].head.status)}]" if x.fact_id in changed else "")
            out.append(_fact_line(x, note))
        if len(b.facts) > 8:
            out.append(f"  - … y {len(b.facts) - 8} cifras más")
    if len(items) > limit:
        out.append(f"- … y {len(items) - limit} más (véase el JSON del gate)")
    return out


def _revisions(items: list[FactChange], limit: int) -> list[str]:
    out = ["| tipo | concepto | periodo | antes | después | estado | procedencia |", "|---|---|---|---|---|---|---|"]
    for c in items[:limit]:
        out.append(f"| {KIND_ES[c.kind]} | {_code(c.base.concept)} | {_text(c.base.period)} | {_text(_fig(c.base))} | "
                   f"{_text(_fig(c.head))} | {_text(c.status_flip or c.head.status)} | "
                   f"{_code(c.base.where)} → {_code(c.head.where)} |")
    if len(items) > limit:
        out.append(f"\n… y {len(items) - limit} más (véase el JSON del gate)")
    return out


def counts_table(g: GateResult) -> list[str]:
    """The row of counts: every cell from :class:`GateCounts`; ``n (m)`` is n in all, m blocking."""
    n = g.counts
    assert n is not None
    return ["| nuevos (bloquean) | perdidas (bloquean) | cambiados | resueltos | conocidos | revisiones | "
            "refinamientos | reexpresados | añadidos | eliminados |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {n.new} ({n.new_blocking}) | {n.lost} ({n.lost_blocking}) | {n.changed} | {n.resolved} | {n.known} | "
            f"{n.revision} | {n.refinement} | {n.restated} | {'?' if n.added is None else n.added} | {n.removed} |"]


def render_markdown(g: GateResult, *, limit: int = 25) -> str:
    n = g.counts
    assert n is not None
    verdict = f"{'❌' if n.blocking else '✅'} **{n.verdict(g.fail_on)}**"
    out = [f"## cuadra gate: {verdict}", "",
           f"BASE {_code(g.base.label)} → HEAD {_code(g.head.label)} · {len(g.head.facts):,} hechos · "
           f"{g.run.n_rules} reglas · {g.seconds:.1f} s", "", *counts_table(g), ""]
    out += [f"> {_text(note)}" for note in g.notes]
    if g.notes:
        out.append("")
    sections: list[tuple[str, list[str]]] = [
        ("Hallazgos nuevos", _changes(g.findings.new, limit, extra=True)),
        ("Comprobaciones perdidas (decididas en BASE, no en HEAD)", _lost(g.lost, g.fail_on, limit)),
        ("Revisiones de datos", _revisions([c for c in g.data.changes if c.kind != "restated"], limit)
         if g.data.revisions else []),
        ("Cifras reexpresadas (mismo valor; cambia estado o precisión)",
         _revisions([c for c in g.data.changes if c.kind == "restated"], limit) if n.restated else []),
        ("Hallazgos cambiados (no bloquean)", _changes(g.findings.changed, limit, extra=True)),
        ("Hallazgos resueltos", _changes(g.findings.resolved, limit, extra=True)),
    ]
    for title, body in sections:
        if body:
            out += [f"### {title}", "", *body, ""]
    if g.findings.known:
        out += [f"<details><summary>Hallazgos conocidos, sin cambio ({n.known}; no bloquean)</summary>", "",
                *_changes(g.findings.known, limit), "", "</details>", ""]
    if g.data.added or g.data.removed:
        added = "?" if n.added is None else n.added
        out += [f"Hechos añadidos: {added} · eliminados: {n.removed} (lista completa en el JSON del gate)", ""]
    for e in g.head.expired_waivers:
        out.append(f"- ⚠️ waiver: {_text(e)}")
    return "\n".join(out).rstrip() + "\n"


def render_invalid(base: str, head: str, messages: Sequence[str], *, limit: int = 50) -> str:
    """Bad input on either side (exit 2): nothing was compared; the messages say where and why."""
    out = ["## cuadra gate: ⛔ **entrada inválida** (exit 2): no se comparó nada", "",
           f"BASE {_code(base)} → HEAD {_code(head)}. Corrija la entrada y vuelva a ejecutar el gate; cada "
           "mensaje dice `archivo:fila:columna: lo que se esperaba`.", ""]
    out += [f"- {_text(m)}" for m in messages[:limit]]
    if len(messages) > limit:
        out.append(f"- … y {len(messages) - limit} mensajes más")
    return "\n".join(out).rstrip() + "\n"
