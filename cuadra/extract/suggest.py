"""Suggest a concept for a figure from the words around it.

One job: rank vocabulary entries by how much their words (label, definition, the parts of the id)
share with the words of the quote, as TF-IDF cosine similarity over folded Spanish word stems. The
vocabulary is handed in as plain :class:`VocabEntry` values, so the registry of today
(``fixtures/concepts.yaml``) and a richer vocabulary (issue 13: synonyms, components) feed the
same suggester: only :func:`entries_from_registry` knows where the words come from.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["VocabEntry", "Suggester", "entries_from_registry", "words", "MIN_SCORE"]

#: Below this cosine a suggestion is noise: the column stays empty and the steward chooses.
MIN_SCORE = 0.2

_STOP_WORDS = """
a al ante bajo cada como con contra de del desde durante e el ella ellas ellos en entre era es esa ese
esta este esto estos estas fue fueron ha han hasta la las le les lo los mas más mediante mismo muy no
o para pero por que se ser si sin sobre su sus tal tambien también tan tanto total un una uno unos unas
y ya cual cuales cuyo donde cuando año años anual mil miles millon millones pesos cifra cifras ciento
"""
_STOP = frozenset(_STOP_WORDS.split())


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _stem(word: str) -> str:
    """A light Spanish stem: plural and gender endings off, so 'pensionados' meets 'pensión'."""
    for suffix in ("aciones", "acion", "iones", "ion", "es", "os", "as", "s", "o", "a", "e"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    """The content words of ``text``, folded and stemmed."""
    return [_stem(w) for w in re.findall(r"[a-zñ]{3,}", _fold(text)) if w not in _STOP]


@dataclass(frozen=True)
class VocabEntry:
    """One concept as the suggester sees it: its id, its unit and the words that name it."""

    id: str
    unit: str
    text: str


def entries_from_registry(concepts: Mapping[str, object]) -> list[VocabEntry]:
    """Entries from registry concepts (anything with ``label``, ``definition`` and ``unit``)."""
    out = []
    for cid, c in concepts.items():
        label = str(getattr(c, "label", "") or "")
        definition = str(getattr(c, "definition", "") or "")
        parts = cid.replace("_", " ").replace(".", " ")
        out.append(VocabEntry(id=cid, unit=str(getattr(c, "unit", "")), text=f"{label} {label} {parts} {definition}"))
    return out


class Suggester:
    """TF-IDF over the vocabulary; ``suggest(quote, unit)`` → (concept id, score) or ("", 0)."""

    def __init__(self, entries: Iterable[VocabEntry]) -> None:
        self.entries = list(entries)
        docs = [Counter(words(e.text)) for e in self.entries]
        df: Counter[str] = Counter()
        for d in docs:
            df.update(d.keys())
        n = max(len(docs), 1)
        self.idf = {w: math.log((1 + n) / (1 + k)) + 1 for w, k in df.items()}
        self.vectors = [self._vector(d) for d in docs]
        #: word → [(entry, weight)]: a quote is scored only against entries that share a word with it.
        self.postings: dict[str, list[tuple[int, float]]] = {}
        for i, v in enumerate(self.vectors):
            for w, x in v.items():
                self.postings.setdefault(w, []).append((i, x))

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        v = {w: (1 + math.log(c)) * self.idf.get(w, 0.0) for w, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items() if x}

    def suggest(self, quote: str, unit: str = "") -> tuple[str, float]:
        """The best concept for ``quote``; a concept of another unit than the guessed one is skipped."""
        q = self._vector(Counter(words(quote)))
        if not q:
            return "", 0.0
        scores: dict[int, float] = {}
        for w, x in q.items():
            for i, y in self.postings.get(w, ()):
                scores[i] = scores.get(i, 0.0) + x * y
        best, score = "", 0.0
        for i, s in sorted(scores.items()):
            e = self.entries[i]
            if unit and e.unit and e.unit != unit:
                continue
            if s > score:
                best, score = e.id, s
        return (best, round(score, 3)) if score >= MIN_SCORE else ("", round(score, 3))
