"""Who a fact and a finding are across two versions of a dataset, and how twins are paired.

One job: matching. A fact is ``(concept, period, source)``: the figure a document states for a
concept and period, wherever its row sits and whichever file holds it. A finding is
:func:`cuadra.findings.finding_identity`. One document may state the same figure twice (two
quotes): such twins share an identity, so inside a group the versions are paired by content
first (identical items are unchanged), then by locator, then by quote, then in order; what is
left over on one side only was added or removed.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Generic, TypeVar

from cuadra.findings import FactRef

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FactState", "FactIdentity", "Pairing", "pair", "fact_states_from_frame", "fact_state_from_ref"]

FactIdentity = tuple[str, str, str]
T = TypeVar("T")


@dataclass(frozen=True)
class FactState:
    """One published figure as the gate compares it: identity, value, precision and provenance."""

    concept: str
    period: str
    source: str
    value: float | None
    scale: int
    decimals: int
    rounding: str
    status: str
    unit: str
    locator: str
    quote: str
    published: str
    fact_id: str

    @property
    def identity(self) -> FactIdentity:
        return self.concept, self.period, self.source

    @property
    def magnitude(self) -> Decimal | None:
        """The value in base units, exactly (``11.1`` at scale 6 is 11,100,000): no float noise."""
        if self.value is None:
            return None
        return Decimal(repr(self.value)).scaleb(self.scale).normalize()

    @property
    def content(self) -> tuple[object, ...]:
        """What a revision can change: value, precision and status (not where the row is)."""
        return self.magnitude, self.decimals - self.scale, self.rounding, self.status, self.unit

    @property
    def where(self) -> str:
        return f"{self.source}:{self.locator}"


def fact_states_from_frame(facts: pd.DataFrame) -> list[FactState]:
    """Every row of a facts frame (``cuadra.contract.facts``) as a :class:`FactState`."""
    cols = ["concept", "period", "source", "value", "scale", "decimals", "rounding", "status", "unit", "locator",
            "quote", "published", "fact_id"]
    out = []
    for c, p, s, v, sc, d, r, st, u, loc, q, pub, fid in facts[cols].itertuples(index=False, name=None):
        value = None if v is None or math.isnan(float(v)) else float(v)
        out.append(FactState(str(c), str(p), str(s), value, int(sc), int(d), str(r), str(st), str(u), str(loc),
                             str(q), str(pub), str(fid)))
    return out


def fact_state_from_ref(ref: FactRef) -> FactState:
    return FactState(ref.concept, ref.period, ref.source, ref.value, ref.scale, ref.decimals, ref.rounding,
                     ref.status, ref.unit, ref.locator, ref.quote, ref.published, ref.fact_id)


@dataclass
class Pairing(Generic[T]):
    """The outcome of matching two versions: pairs (base, head), and the leftovers of each side."""

    pairs: list[tuple[T, T]]
    only_base: list[T]
    only_head: list[T]


def pair(base: Iterable[T], head: Iterable[T], identity: Callable[[T], Hashable],
            content: Callable[[T], Hashable], tiebreaks: Sequence[Callable[[T], Hashable]] = ()) -> Pairing[T]:
    """Match ``base`` with ``head`` by identity; twins by content, then by each tiebreak, then in order."""
    groups: dict[Hashable, tuple[list[T], list[T]]] = defaultdict(lambda: ([], []))
    for x in base:
        groups[identity(x)][0].append(x)
    for x in head:
        groups[identity(x)][1].append(x)
    out: Pairing[T] = Pairing([], [], [])
    for b, h in groups.values():
        if len(b) == 1 and len(h) == 1:
            out.pairs.append((b[0], h[0]))
            continue
        for key in (content, *tiebreaks):
            b, h = _pair_by(b, h, key, out.pairs)
        n = min(len(b), len(h))
        out.pairs.extend(zip(b[:n], h[:n], strict=True))
        out.only_base.extend(b[n:])
        out.only_head.extend(h[n:])
    return out


def _pair_by(b: list[T], h: list[T], key: Callable[[T], Hashable],
                pairs: list[tuple[T, T]]) -> tuple[list[T], list[T]]:
    if not b or not h:
        return b, h
    waiting: dict[Hashable, list[T]] = defaultdict(list)
    for x in h:
        waiting[key(x)].append(x)
    rest_b, used = [], set()
    for x in b:
        bucket = waiting.get(key(x))
        if bucket:
            y = bucket.pop(0)
            used.add(id(y))
            pairs.append((x, y))
        else:
            rest_b.append(x)
    return rest_b, [y for y in h if id(y) not in used]
