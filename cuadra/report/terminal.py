"""The terminal summary: a rich table a steward reads after ``cuadra validate``.

One job: counts by kind and status, then the findings that need attention (fail, error,
indeterminate), each with its figures and where they come from. Goes to stderr-free stdout.
"""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from cuadra.escape import rich_text as t_
from cuadra.findings import Run

__all__ = ["print_summary"]


def print_summary(run: Run, console: Console, *, fail_on: str = "error", limit: int = 40) -> None:
    kinds = Counter((f.kind, f.status) for f in run.findings)
    table = Table(title=f"cuadra {run.version} — {t_(run.dataset)} ({run.n_facts} hechos, {run.n_rules} reglas)")
    for col in ("tipo", "pass", "fail", "indeterminate", "waived", "error"):
        table.add_column(col, justify="right" if col != "tipo" else "left")
    for kind in sorted({k for k, _ in kinds}):
        table.add_row(t_(kind), *(str(kinds[(kind, s)]) for s in ("pass", "fail", "indeterminate", "waived", "error")))
    s = run.summary()
    table.add_row("[b]total[/b]", *(f"[b]{s[k]}[/b]" for k in ("pass", "fail", "indeterminate", "waived", "error")))
    console.print(table)
    attention = [f for f in run.findings if f.status in ("fail", "error")]
    if attention:
        t = Table(title="Hallazgos", show_lines=False)
        for col in ("regla", "periodo", "sev.", "estado", "izquierda", "derecha", "desbalance", "cifras"):
            t.add_column(col, overflow="fold")
        for f in attention[:limit]:
            def iv(x: tuple[float | None, float | None]) -> str:
                return "—" if x[0] is None else f"[{x[0]:,.6g}, {x[1]:,.6g}]"
            figs = "; ".join(f"{x.published or x.value} ({x.source[:3]}:{x.locator})" for x in f.facts[:4])
            t.add_row(t_(f.rule), t_(f.key if f.key != f.period else f.period), t_(f.severity), t_(f.status),
                      iv(f.lhs), iv(f.rhs), f"{f.imbalance:,.6g}" if f.imbalance else t_(f.reason or "—"), t_(figs))
        console.print(t)
        if len(attention) > limit:
            console.print(f"… y {len(attention) - limit} más (véase --json)")
    for e in run.expired_waivers:
        console.print(f"[yellow]waiver: {t_(e)}[/yellow]")
    blocking = run.failing(fail_on)
    verdict = "[red]FALLA[/red]" if blocking else "[green]OK[/green]"
    console.print(f"{verdict}: {len(blocking)} hallazgo(s) con severidad ≥ {fail_on}; {run.seconds:.1f} s")
