"""Candidate facts from a document's lines: the contract's columns, guessed, for a steward to review.

One job: turn the spans :mod:`cuadra.extract.scan` finds into rows of the data contract with their
provenance (``locator`` = the line or lines the figure is printed on, ``quote`` = the words around
it on those lines, so the quote is always found at the locator), a unit and a period guessed from
the sentence, and a suggested concept with its score. The steward confirms or corrects each row.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from cuadra.contract.numbers import Cifra
from cuadra.extract.scan import scan
from cuadra.extract.suggest import Suggester

__all__ = ["Candidate", "NonFigure", "extract_lines", "write_candidates", "write_nonfigures",
           "guess_unit", "guess_period"]

_MONTH_NAMES = "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre"
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES.split(), 1)}
_MONTHS["setiembre"] = 9
_MONTH_RE = "|".join(_MONTHS)
_FULL_DATE = re.compile(rf"\b(\d{{1,2}})\s+de\s+({_MONTH_RE})\s+(?:de(?:l)?\s+)?((?:19|20)\d\d)\b", re.I)
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\s+(?:de(?:l)?\s+)?((?:19|20)\d\d)\b", re.I)
_YEAR = re.compile(r"(?<![\d,.])((?:19|20)\d\d)(?![\d,])")

#: Words after a figure that name what is counted, and the registered unit they imply.
_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    (r"pesos|mdp|mmdp", "MXN"),
    (r"d[oó]lares", "USD"),
    (r"puntos? porcentuales?", "puntos_porcentuales"),
    (r"personas|derechohabientes|trabajador(?:es|as)|asegurad[oa]s|pacientes|pensionad[oa]s|beneficiari[oa]s|"
     r"ni[ñn][oa]s|mujeres|hombres|usuari[oa]s|afiliad[oa]s|m[ée]dicos|enfermer[oa]s|estudiantes|"
     r"adultos|j[óo]venes|familias|empleos|puestos|embarazadas|personal|profesionales|residentes|"
     r"jubilad[oa]s|menores|infantes|pensiones", "personas"),
    (r"d[íi]as", "dias"),
    (r"horas", "horas"),
    (r"minutos", "minutos"),
    (r"años", "anios"),
    (r"metros cuadrados|m2", "metros_cuadrados"),
)


@dataclass(frozen=True)
class Candidate:
    """One proposed fact: the contract's columns plus the suggestion's score and the reading's note."""

    concept: str
    period: str
    value: str
    unit: str
    scale: int
    decimals: int
    rounding: str
    status: str
    source: str
    locator: str
    quote: str
    published: str
    lectura: str
    concept_score: float
    nota: str


@dataclass(frozen=True)
class NonFigure:
    """A number that is not a figure, with the reason (year, date, ordinal, list or page number…)."""

    source: str
    locator: str
    text: str
    reason: str
    quote: str


def guess_unit(cifra: Cifra, after: str) -> str:
    """The unit the figure is in: from its own marks (%, $, pesos), else the words that follow it."""
    if cifra.points:
        return "puntos_porcentuales"
    if cifra.percent:
        return "porcentaje"
    if cifra.currency:
        return "MXN"
    head = " ".join(after.split()[:4]).lower()
    for pattern, unit in _UNIT_WORDS:
        if re.match(rf"^(?:\S+\s+){{0,3}}?(?:de\s+)?(?:{pattern})\b", head):
            return unit
    return "unidades"


def guess_period(sentence: str, at: int) -> str:
    """The period the sentence speaks of: a full date, else month and year, else the nearest year."""
    for rx, build in ((_FULL_DATE, lambda m: f"{m[3]}-{_MONTHS[m[2].lower()]:02d}-{int(m[1]):02d}"),
                      (_MONTH_YEAR, lambda m: f"{m[2]}-{_MONTHS[m[1].lower()]:02d}")):
        found = list(rx.finditer(sentence))
        if found:
            return build(min(found, key=lambda m: abs(m.start() - at)))
    years = list(_YEAR.finditer(sentence))
    if years:
        return min(years, key=lambda m: abs(m.start() - at))[1]
    return ""


def _sentence(text: str, s: int, e: int) -> tuple[str, int]:
    """The sentence around [s, e) (a full stop not between digits ends one), and s's offset in it."""
    starts = [m.end() for m in re.finditer(r"(?<!\d)\.(?!\d)\s|\n\s*\n", text[max(0, s - 400):s])]
    a = max(0, s - 400) + (starts[-1] if starts else 0)
    m = re.search(r"(?<!\d)\.(?!\d)(?:\s|$)|\n\s*\n", text[e:e + 400])
    b = e + (m.start() if m else min(400, len(text) - e))
    return text[a:b], s - a


def _quote(text: str, s: int, e: int, line_a: int, line_b: int) -> str:
    """Up to 12 words before and 8 after the figure, verbatim (white space folded), on its own lines."""
    before = [m.start() for m in re.finditer(r"\S+", text[line_a:s])]
    after = [m.end() for m in re.finditer(r"\S+", text[e:line_b])]
    a = line_a + (before[-12] if len(before) >= 12 else before[0] if before else s - line_a)
    b = e + (after[min(7, len(after) - 1)] if after else 0)
    return " ".join(text[a:b].split())


def extract_lines(lines: Sequence[str], source: str, suggester: Suggester | None = None
                  ) -> tuple[list[Candidate], list[NonFigure]]:
    """Candidates and non-figures of one document given as lines (1-based locators)."""
    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        return bisect.bisect_right(starts, offset)

    doc_years = Counter(m[1] for m in _YEAR.finditer(text))
    candidates: list[Candidate] = []
    others: list[NonFigure] = []
    for sp in scan(text):
        first, last = line_of(sp.start), line_of(max(sp.start, sp.end - 1))
        locator = str(first) if first == last else f"{first}-{last}"
        line_a = starts[first - 1]
        line_b = starts[last - 1] + len(lines[last - 1])
        quote = _quote(text, sp.start, sp.end, line_a, line_b)
        published = " ".join(sp.text.split())
        if sp.cifra is None:
            others.append(NonFigure(source, locator, published, sp.reason, quote))
            continue
        c = sp.cifra
        unit = guess_unit(c, text[sp.end:sp.end + 60])
        sentence, at = _sentence(text, sp.start, sp.end)
        period = guess_period(sentence, at) or (doc_years.most_common(1)[0][0] if doc_years else "")
        # The words next to the figure count twice, the rest of its sentence once.
        concept, score = suggester.suggest(f"{quote} {quote} {sentence}", unit) if suggester else ("", 0.0)
        # A count printed to the unit ("21 millones 718 mil 601", "8,942 trabajadores") is stated in full.
        rounding = c.bound or ("exact" if c.decimals == 0 and c.scale == 0 and not c.percent
                               and not c.currency and unit in ("personas", "unidades") else "nearest")
        candidates.append(Candidate(
            concept=concept, period=period, value=str(c.value), unit=unit, scale=c.scale, decimals=c.decimals,
            rounding=rounding, status="final", source=source, locator=locator, quote=quote,
            published=published, lectura="", concept_score=score, nota=sp.note))
    return candidates, others


def _write(rows: Sequence[object], cls: type, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[f.name for f in fields(cls)])
        w.writeheader()
        for r in rows:
            w.writerow(asdict(r))  # type: ignore[call-overload]


def write_candidates(rows: Sequence[Candidate], path: Path) -> None:
    _write(rows, Candidate, path)


def write_nonfigures(rows: Sequence[NonFigure], path: Path) -> None:
    _write(rows, NonFigure, path)
