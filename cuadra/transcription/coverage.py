"""Completeness of a transcription: every number printed in a source is a fact or excluded.

One job: for each line of a source text, take the multiset of numeric tokens, remove those that
a fact's ``published`` text accounts for at its locator, remove the explicit exclusions (each
with its reason), and what remains is a figure nobody transcribed. Years (1950-2049 standing
alone) are excluded wholesale because the reports use them as labels; every other exclusion is
listed by line in ``fixtures/exclusions/<source>.yaml`` with the reason.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from cuadra.transcription.sources import SourceText, parse_locator

__all__ = ["TOKEN", "is_year", "tokens", "Coverage", "coverage"]

TOKEN = re.compile(r"\d(?:[\d,.]*\d)?")
_YEAR = re.compile(r"^(?:19[5-9]\d|20[0-4]\d)$")


def is_year(token: str) -> bool:
    return bool(_YEAR.match(token))


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@dataclass
class Coverage:
    source: str
    tokens_total: int = 0
    years: int = 0
    by_facts: int = 0
    by_exclusions: int = 0
    uncovered: dict[int, list[str]] = field(default_factory=dict)
    facts_not_found: list[tuple[str, str, str]] = field(default_factory=list)
    exclusions_not_found: list[tuple[int, str]] = field(default_factory=list)

    @property
    def uncovered_count(self) -> int:
        return sum(len(v) for v in self.uncovered.values())


def coverage(
    text: SourceText,
    facts: Iterable[tuple[str, str]],
    exclusions: Iterable[Mapping[str, object]],
    *,
    source: str = "",
) -> Coverage:
    """``facts`` are (locator, published) pairs; ``exclusions`` are {line, tokens|token, why}."""
    printed = {i: Counter(tokens(line)) for i, line in enumerate(text.lines, start=1)}
    remaining = {i: Counter(c) for i, c in printed.items()}
    cov = Coverage(source=source or text.path.name)
    for counter in remaining.values():
        cov.tokens_total += sum(counter.values())
        for tok in [t for t in counter if is_year(t)]:
            cov.years += counter.pop(tok)
    for locator, published in facts:
        first, last = parse_locator(locator)
        for tok in tokens(published or ""):
            for line_no in range(first, last + 1):
                if remaining.get(line_no, Counter())[tok] > 0:
                    remaining[line_no][tok] -= 1
                    cov.by_facts += 1
                    break
            else:
                # One printed figure may back two facts (e.g. "117 ... en 2022 y 2023"); it only
                # must be printed there.
                if not is_year(tok) and not any(printed.get(ln, Counter())[tok]
                                                for ln in range(first, last + 1)):
                    cov.facts_not_found.append((locator, published, tok))
    for entry in exclusions:
        line_no = int(entry["line"])  # type: ignore[call-overload]
        toks = entry.get("tokens") or [entry.get("token")]
        times = int(entry.get("times", 1))  # type: ignore[call-overload]
        for tok in toks:  # type: ignore[union-attr]
            for _ in range(times):
                if remaining.get(line_no, Counter())[str(tok)] > 0:
                    remaining[line_no][str(tok)] -= 1
                    cov.by_exclusions += 1
                else:
                    cov.exclusions_not_found.append((line_no, str(tok)))
    for line_no, counter in remaining.items():
        left = sorted(counter.elements())
        if left:
            cov.uncovered[line_no] = left
    return cov
