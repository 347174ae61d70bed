"""The gate on a terminal: what a steward reads before the pull request's comment.

One job: print a :class:`GateResult` with the blocks of :mod:`cuadra.report.terminal` (rich on a
terminal, plain lines in a CI log): the counts (from :class:`cuadra.gate.counts.GateCounts`, the
numbers the JSON, the Markdown and the JUnit print), the new findings, the lost checks with the
facts that explain them, the data revisions, changed and resolved findings (known ones are
counted, listed in the Markdown and the JSON), the verdict and the paths of every file written.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from cuadra.gate.diff import FindingChange
from cuadra.gate.lost import LostCheck
from cuadra.gate.revisions import FactChange
from cuadra.gate.run import GateResult
from cuadra.report.figures import STATUS_ES, cifra
from cuadra.report.terminal import Line, files_lines, finding_lines, print_lines, print_table

__all__ = ["print_gate"]

KIND_ES = {"revision": "revisión", "refinement": "refinamiento", "restated": "reexpresado"}


def _changes(title: str, items: Sequence[FindingChange], limit: int) -> list[Line]:
    if not items:
        return []
    out = [Line(""), Line(f"{title} ({len(items)})", 0, "bold")]
    for c in items[:limit]:
        before, after = (STATUS_ES.get(x, x) for x in (c.base_status, c.head_status))
        note = f"antes {before}, ahora {after}"
        out += finding_lines(c.current, note=note)
    if len(items) > limit:
        out.append(Line(f"… y {len(items) - limit} más (véase el JSON del gate)"))
    return out


def _lost(items: Sequence[LostCheck], fail_on: str, limit: int) -> list[Line]:
    if not items:
        return []
    out = [Line(""), Line(f"Comprobaciones perdidas: decididas en BASE, no en HEAD ({len(items)})", 0, "bold")]
    for c in items[:limit]:
        state = "bloquea" if c.blocks(fail_on) else (f"aceptada: {c.accepted}" if c.accepted
                                                     else f"no bloquea (bajo --fail-on {fail_on})")
        out += finding_lines(c.base, status="absent" if c.head is None else c.head.status,
                             note=f"antes {STATUS_ES.get(c.base.status, c.base.status)}; {state}")
        out += [Line(f"ahora: {part}", 2) for part in c.reason_parts()]
    if len(items) > limit:
        out.append(Line(f"… y {len(items) - limit} más (véase el JSON del gate)"))
    return out


def _fig(c: FactChange, side: str) -> str:
    f = getattr(c, side)
    return cifra(f.value, f.scale, f.decimals, f.status, f.unit)


def _revisions(items: Sequence[FactChange], limit: int) -> list[Line]:
    if not items:
        return []
    out = [Line(""), Line(f"Cambios en los datos ({len(items)})", 0, "bold")]
    for c in items[:limit]:
        flip = f", estado {c.status_flip}" if c.status_flip else ""
        out.append(Line(f"{KIND_ES[c.kind]}: {c.base.concept}[{c.base.period}] {_fig(c, 'base')} → {_fig(c, 'head')}"
                        f"{flip} — {c.base.where} → {c.head.where}", 2))
    if len(items) > limit:
        out.append(Line(f"… y {len(items) - limit} más (véase el JSON del gate)", 2))
    return out


def print_gate(g: GateResult, console: Console, *, limit: int = 25,
               written: Sequence[tuple[str, Path | str]] = ()) -> None:
    n = g.counts
    assert n is not None
    header = ["nuevos (bloquean)", "perdidas (bloquean)", "cambiados", "resueltos", "conocidos", "revisiones",
              "refinamientos", "reexpresados", "añadidos", "eliminados"]
    row = [f"{n.new} ({n.new_blocking})", f"{n.lost} ({n.lost_blocking})", str(n.changed), str(n.resolved),
           str(n.known), str(n.revision), str(n.refinement), str(n.restated), "?" if n.added is None else str(n.added),
           str(n.removed)]
    title = (f"cuadra gate — BASE {g.base.label} → HEAD {g.head.label} · {len(g.head.facts):,} hechos · "
             f"{g.run.n_rules:,} reglas")
    # Ten columns do not fit 100: the counts print as a two-column table (what, how many), under
    # a title line that wraps at word boundaries like every other line.
    print_lines(console, [Line(title, 0, "bold")])
    print_table(console, "", ["", "número"], [[h, v] for h, v in zip(header, row, strict=True)])
    lines = [Line(f"nota: {note}", 0, "dim") for note in g.notes]
    lines += _changes("Hallazgos nuevos", g.findings.new, limit)
    lines += _lost(g.lost, g.fail_on, limit)
    lines += _revisions(g.data.changes, limit)
    lines += _changes("Hallazgos cambiados (no bloquean)", g.findings.changed, limit)
    lines += _changes("Hallazgos resueltos", g.findings.resolved, limit)
    if n.known:
        lines += [Line(""), Line(f"{n.known} hallazgo(s) conocido(s), sin cambio: no bloquean (lista en el Markdown y "
                                 "el JSON del gate)")]
    lines += [Line(f"waiver: {e}", 0, "yellow") for e in g.head.expired_waivers]
    lines += [Line(""), Line(f"{'FALLA' if n.blocking else 'OK'}: {n.verdict(g.fail_on)}; {g.seconds:.1f} s", 0,
                             "bold red" if n.blocking else "bold green")]
    lines += files_lines(written)
    print_lines(console, lines)
