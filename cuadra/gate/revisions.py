"""What changed in the data: facts added, removed, revised, refined and restated.

One job: compare two versions' facts, paired by identity (``identity.py``). A pair whose value
(in base units) differs is a *refinement* when one figure lies inside the other's rounding
interval (a preliminary "11.1 millones" confirmed as 11,137,420: the published figure was right
to its precision) and a *revision* otherwise; both carry the two values and the two provenances.
A pair with the same value whose status, precision or unit changed is *restated*. A status flip
(``preliminar → final``) is named on every change that has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cuadra.gate.identity import FactState, pair
from cuadra.intervals import from_published

__all__ = ["FactChange", "DataDiff", "diff_facts", "REVISION_KINDS"]

#: Kinds of a change to one fact. Only the first two change its value.
REVISION_KINDS = ("revision", "refinement", "restated")


@dataclass(frozen=True)
class FactChange:
    kind: str
    base: FactState
    head: FactState

    @property
    def status_flip(self) -> str | None:
        """``"preliminar → final"`` when the status changed, else None."""
        if self.base.status == self.head.status:
            return None
        return f"{self.base.status} → {self.head.status}"

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "concept": self.base.concept, "period": self.base.period,
                "source": self.base.source, "status_flip": self.status_flip,
                "base": _fact_json(self.base), "head": _fact_json(self.head)}


def _fact_json(f: FactState) -> dict[str, object]:
    return {"value": f.value, "scale": f.scale, "decimals": f.decimals, "rounding": f.rounding,
            "status": f.status, "unit": f.unit, "published": f.published, "locator": f.locator,
            "quote": f.quote, "fact_id": f.fact_id}


@dataclass
class DataDiff:
    """The data side of a gate. ``complete`` is False when the base side knew only some facts."""

    added: list[FactState]
    removed: list[FactState]
    changes: list[FactChange]
    unchanged: int
    complete: bool = True

    @property
    def revisions(self) -> list[FactChange]:
        """Value changes (revision or refinement), the ones a steward must look at."""
        return [c for c in self.changes if c.kind in ("revision", "refinement")]

    def counts(self) -> dict[str, int]:
        kinds = [c.kind for c in self.changes]
        return {"added": len(self.added), "removed": len(self.removed), "revision": kinds.count("revision"),
                "refinement": kinds.count("refinement"), "restated": kinds.count("restated"),
                "status_flips": sum(1 for c in self.changes if c.status_flip), "unchanged": self.unchanged}


def _inside(value_of: FactState, interval_of: FactState) -> bool:
    if value_of.value is None or interval_of.value is None:
        return False
    iv = from_published(interval_of.value, interval_of.decimals, interval_of.scale,
                        interval_of.rounding)  # type: ignore[arg-type]
    m = float(value_of.magnitude)  # type: ignore[arg-type]
    return iv.lo <= m <= iv.hi


def classify(base: FactState, head: FactState) -> str | None:
    """None when nothing that matters changed; else one of :data:`REVISION_KINDS`."""
    if base.content == head.content:
        return None
    if base.magnitude == head.magnitude:
        return "restated"
    return "refinement" if _inside(head, base) or _inside(base, head) else "revision"


def _order(f: FactState) -> tuple[str, str, str, str]:
    return f.source, f.concept, f.period, f.locator


def diff_facts(base: Iterable[FactState], head: Iterable[FactState], *, complete: bool = True) -> DataDiff:
    """Pair the two versions' facts and classify every pair; leftovers are added or removed.

    With ``complete=False`` (the base is a findings JSON that knows only the facts its findings
    mention) head facts absent from the base are not "added": nothing is known about them.
    """
    base = list(base)
    known = {f.identity for f in base}
    head = [f for f in head if complete or f.identity in known]
    p = pair(base, head, lambda f: f.identity, lambda f: f.content,
             (lambda f: f.locator, lambda f: f.quote))
    changes, unchanged = [], 0
    for b, h in p.pairs:
        kind = classify(b, h)
        if kind is None:
            unchanged += 1
        else:
            changes.append(FactChange(kind, b, h))
    changes.sort(key=lambda c: (REVISION_KINDS.index(c.kind), _order(c.base)))
    return DataDiff(added=sorted(p.only_head, key=_order) if complete else [],
                    removed=sorted(p.only_base, key=_order), changes=changes, unchanged=unchanged,
                    complete=complete)
