"""Next edition (issue 13): the same dataset with every period moved, and what its checks keep.

One job: move every period of a dataset's CSV files (reports and reference tables alike) by whole
years, and compare two runs' decided instances. A catalogue that carries keeps the same instances
with the same verdicts one year later; a rule pinned to a date loses its instance. Waivers are keyed
to periods and values, so a waived instance counts as the failure it is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from cuadra.findings import Finding
from cuadra.rules.periods import shift

__all__ = ["shift_csv_periods", "decided", "retention"]


def shift_csv_periods(src: Path, dst: Path, years: int) -> list[Path]:
    """Copy every CSV under ``src`` to ``dst`` with its ``period`` column moved by ``years``."""
    out = []
    for f in sorted(src.rglob("*.csv")):
        target = dst / f.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        with f.open(encoding="utf-8", newline="") as fin, target.open("w", encoding="utf-8", newline="") as fout:
            reader = csv.DictReader(fin)
            writer = csv.DictWriter(fout, fieldnames=list(reader.fieldnames or []))
            writer.writeheader()
            for row in reader:
                row["period"] = shift(row["period"], years) or row["period"]
                writer.writerow(row)
        out.append(target)
    return out


def _shifted_key(f: Finding, years: int) -> tuple[str, str]:
    period, at, scope = f.key.partition("@")
    if f.rule == "duplicado":
        concept, _, p = f.key.partition("|")
        return f.rule, f"{concept}|{shift(p, years)}"
    if f.rule in ("publicado", "rango"):
        return f.rule, f.key  # keyed by fact id (file:row), which a shift does not move
    return f.rule, f"{shift(period, years) if period else period}{at}{scope}"


def decided(findings: Iterable[Finding], years: int = 0) -> dict[tuple[str, str], str]:
    """Decided instances (pass / fail; waived counts as fail), keyed as they would read ``years`` later."""
    out = {}
    for f in findings:
        if f.status in ("pass", "fail", "waived"):
            out[_shifted_key(f, years)] = "fail" if f.status == "waived" else f.status
    return out


def retention(base: Sequence[Finding], moved: Sequence[Finding], years: int) -> tuple[int, int, list[tuple[str, str]]]:
    """(kept, decided in base, lost keys): instances decided in ``base`` that ``moved`` decides alike."""
    a, b = decided(base, years), decided(moved)
    lost = sorted(k for k, s in a.items() if b.get(k) != s)
    return len(a) - len(lost), len(a), lost
