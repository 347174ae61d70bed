"""The terminal summary a steward reads first, after ``cuadra validate`` (and the gate's blocks).

One job: say on a terminal what the run found, in the reports' own words and numbers: counts by
kind and status, then every failure (rule title, rule id and instance, both sides' intervals and
the imbalance, each figure as printed with its interval and its full source), then the
indeterminate instances with their reason, the verdict, and the paths of every file written.

Figures print as the reports print them ("57,073.9 miles", :mod:`cuadra.report.figures`), never
``%g``; a duplicate shows each statement's interval, not the two nearest ends. On a terminal the
counts are a rich table and the findings rich-styled blocks wrapped at word boundaries; when the
output is not a terminal (a CI log, a pipe) the same content prints as plain lines, wrapped by
:mod:`textwrap` at the console's width. Nothing here counts twice: the totals are
:meth:`cuadra.findings.Run.summary`, what the JSON and the Data Docs print.
"""

from __future__ import annotations

import heapq
import math
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cuadra.escape import defang, one_line
from cuadra.findings import Finding, Run
from cuadra.findingset import tally, where
from cuadra.report.figures import STATUS_ES, figure, interval, num

__all__ = ["print_summary", "Line", "finding_lines", "print_lines", "print_table", "files_lines"]

STATUS_ORDER = ("pass", "fail", "indeterminate", "waived", "error")
MARK = {"fail": "✗", "error": "✗", "indeterminate": "?", "waived": "~", "pass": "✓", "absent": "–"}
STYLE = {"fail": "red", "error": "bold red", "indeterminate": "yellow", "waived": "cyan", "pass": "green",
         "absent": "yellow"}


@dataclass(frozen=True)
class Line:
    """One logical line: indented, wrapped at word boundaries to the width, optionally styled."""

    text: str
    indent: int = 0
    style: str = ""


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def _gap(f: Finding) -> str:
    """The imbalance when there is one (an undecided instance has none, not a zero)."""
    if not _finite(f.imbalance) or not f.imbalance:
        return ""
    rel = f" ({num(f.imbalance_rel * 100, digits=3)}%)" if _finite(f.imbalance_rel) else ""  # type: ignore[operator]
    return f" · desbalance {num(f.imbalance)}{rel}"


def finding_lines(f: Finding, *, note: str = "", facts: int = 8, status: str | None = None) -> list[Line]:
    """A finding as a block: title line, rule and instance, intervals or reason, its figures."""
    st = status or f.status
    head = f"{MARK.get(st, '·')} {STATUS_ES.get(st, st)} · {f.severity} · {f.titulo or f.rule}"
    out = [Line(head + (f" — {note}" if note else ""), 0, STYLE.get(st, ""))]
    out.append(Line(f"regla {f.rule} · instancia {f.key}", 2, "dim"))
    if f.rule == "duplicado":
        out.append(Line("las declaraciones de una misma cifra deben compartir un valor dentro de su redondeo", 2))
    elif _finite(f.lhs[0]) or _finite(f.rhs[0]):
        out.append(Line(f"izquierda {interval(*f.lhs)} · derecha {interval(*f.rhs)}{_gap(f)}", 2))
    if f.reason:
        out.append(Line(f"motivo: {f.reason}", 2))
    for x in f.facts[:facts]:
        iv = f" ∈ {interval(x.lo, x.hi)}" if x.lo is not None else ""
        out.append(Line(f"{x.concept}[{x.period}] = {figure(x)}{iv} — {x.source}:{x.locator}", 4))
    if len(f.facts) > facts:
        out.append(Line(f"… y {len(f.facts) - facts} cifras más (véase el JSON)", 4))
    return out


def _safe(text: str) -> str:
    """Data on one line, no control character (an ANSI escape in a quote), no script scheme (issue 15)."""
    return one_line(defang(text))


def print_lines(console: Console, lines: Sequence[Line]) -> None:
    """Rich, wrapped blocks on a terminal; plain lines wrapped by textwrap otherwise."""
    if console.is_terminal:
        for ln in lines:  # a Text is never parsed as markup: "[red]" in a quote prints as is
            console.print(Padding(Text(_safe(ln.text), style=ln.style), (0, 0, 0, ln.indent)))
        return
    for ln in lines:
        pad = " " * ln.indent
        text = textwrap.fill(_safe(ln.text), width=max(40, console.width), initial_indent=pad,
                             subsequent_indent=pad + "  ", break_long_words=False,
                             break_on_hyphens=False) if ln.text else ""
        console.print(text, markup=False, highlight=False, soft_wrap=True)


def print_table(console: Console, title: str, header: Sequence[str], rows: Sequence[Sequence[str]],
                *, bold_last: bool = False) -> None:
    """A rich table on a terminal; aligned plain columns otherwise (a CI log has no box drawing)."""
    if console.is_terminal:
        t = Table(title=Text(_safe(title)) if title else None)
        for i, col in enumerate(header):
            t.add_column(col, justify="left" if i == 0 else "right")
        for j, row in enumerate(rows):
            last = bold_last and j == len(rows) - 1
            t.add_row(*(Text(_safe(str(c)), style="bold" if last else "") for c in row))
        console.print(t)
        return
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    if title:
        console.print(_safe(title), markup=False, highlight=False, soft_wrap=True)
    for r in [header, *rows]:
        cells = [_safe(str(c)).ljust(widths[0]) if i == 0 else _safe(str(c)).rjust(widths[i]) for i, c in enumerate(r)]
        console.print("  " + "  ".join(cells).rstrip(), markup=False, highlight=False, soft_wrap=True)


def files_lines(written: Sequence[tuple[str, Path | str]]) -> list[Line]:
    if not written:
        return []
    return [Line("Archivos escritos:"), *(Line(f"{what}: {path}", 2) for what, path in written)]


def _section(title: str, items: Iterable[Finding], limit: int) -> list[Line]:
    """The first ``limit`` findings in ``_order`` and how many there are, by severity. The findings are
    read one at a time and only the first ``limit`` kept (10 M facts fail hundreds of thousands)."""
    sev: Counter[str] = Counter()

    def counted() -> Iterator[Finding]:
        for f in items:
            sev[f.severity] += 1
            yield f

    top = heapq.nsmallest(limit, counted(), key=_order)  # as sorted(...)[:limit], ties kept in order
    total = sum(sev.values())
    if not total:
        return []
    split = ", ".join(f"{n} {s}" for s, n in sorted(sev.items()))
    out = [Line(""), Line(f"{title} ({total}: {split})", 0, "bold")]
    for f in top:
        out += finding_lines(f)
    if total > limit:
        out.append(Line(f"… y {total - limit} más (véase --json)"))
    return out


def _order(f: Finding) -> tuple[int, str, str]:
    return (0 if f.severity == "error" else 1), f.rule, f.key


def print_summary(run: Run, console: Console, *, fail_on: str = "error", limit: int = 40,
                  written: Sequence[tuple[str, Path | str]] = ()) -> None:
    """Counts, failures, indeterminate instances, verdict, then the files written (``written``)."""
    kinds: Counter[tuple[str, str]] = Counter()
    for (_rule, kind, _severity, status), n in tally(run.findings).items():  # counts, not findings
        kinds[(kind, status)] += n
    s = run.summary()
    rows = [[kind, *(str(kinds[(kind, st)]) for st in STATUS_ORDER)] for kind in sorted({k for k, _ in kinds})]
    rows.append(["total", *(str(s[st]) for st in STATUS_ORDER)])
    print_table(console, f"cuadra {run.version} — {run.dataset} ({run.n_facts:,} hechos, {run.n_rules:,} reglas)",
                ["tipo", *(STATUS_ES[st] for st in STATUS_ORDER)], rows, bold_last=True)
    lines = (_section("Hallazgos", where(run.findings, ("fail", "error")), limit)
             + _section("Indeterminadas", where(run.findings, ("indeterminate",)), limit))
    lines += [Line(f"waiver: {e}", 0, "yellow") for e in run.expired_waivers]
    blocking = run.n_failing(fail_on)
    verdict = (f"FALLA: {blocking} hallazgo(s) con severidad ≥ {fail_on}" if blocking
               else f"OK: ningún hallazgo con severidad ≥ {fail_on}")
    lines += [Line(""), Line(f"{verdict}; {run.seconds:.1f} s", 0, "bold red" if blocking else "bold green")]
    lines += files_lines(written)
    print_lines(console, lines)
