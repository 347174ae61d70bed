"""Recall of ``extraer`` on transcribed documents: the share of known facts it proposes.

One job: given the candidates of some documents and the facts a person transcribed from them, say
which facts were proposed "with their value and line": a candidate on one of the fact's lines whose
value equals the fact's, in the printed unit or in base units. The measure counts facts that print
a figure (``published`` not empty); facts read from words ("cuatro T") or counted from a list are
not printed figures and are reported apart.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from cuadra.contract.numbers import CifraInvalida, parse_cifra
from cuadra.extract.candidates import Candidate

__all__ = ["Recall", "recall", "read_facts"]


@dataclass
class Recall:
    printed: int = 0
    found: int = 0
    #: Facts whose value a ``lectura`` corrects (OCR): proposed with the value as printed instead.
    found_as_printed: int = 0
    unprinted: int = 0
    misses: list[dict[str, str]] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.found / self.printed if self.printed else 1.0

    @property
    def share_as_printed(self) -> float:
        return (self.found + self.found_as_printed) / self.printed if self.printed else 1.0


def _lines(locator: str) -> range:
    a, _, b = locator.partition("-")
    return range(int(a), int(b or a) + 1)


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _printed(text: str) -> Decimal | None:
    try:
        return parse_cifra(text.lstrip("=≥≤<> ")).value
    except CifraInvalida:
        return None


def read_facts(files: Iterable[Path]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for f in files:
        with f.open(encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def recall(candidates: Sequence[Candidate], facts: Iterable[dict[str, str]]) -> Recall:
    """Which printed facts a candidate proposes with their value on one of their lines."""
    by_line: dict[tuple[str, int], list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for c in candidates:
        v = Decimal(c.value)
        for ln in _lines(c.locator):
            by_line[(c.source, ln)].append((v, v.scaleb(c.scale)))
    out = Recall()
    for f in facts:
        if f["status"] in ("NA", "ND") or not f["value"]:
            continue
        if not f.get("published"):
            out.unprinted += 1
            continue
        out.printed += 1
        v = _dec(f["value"])
        base = v.scaleb(int(f["scale"] or 0)) if v is not None else None
        hit = v is not None and any(cv == v or cb == base or cv == -v
                                    for ln in _lines(f["locator"]) for cv, cb in by_line[(f["source"], ln)])
        if hit:
            out.found += 1
            continue
        printed = _printed(f["published"]) if f.get("lectura") else None
        if printed is not None and any(cv == printed for ln in _lines(f["locator"])
                                       for cv, _ in by_line[(f["source"], ln)]):
            out.found_as_printed += 1
        else:
            out.misses.append(f)
    return out
