"""The vocabulary's values: one frozen dataclass per kind of declared relation.

One job: the data model. ``origin`` says where a relation comes from: ``file:line`` when it is
declared on a concept, ``derivado: <rule of derivation>`` when ``derive.py`` inferred it from the
concept ids (docs/rules.md counts both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cuadra.contract.registry import Concept

__all__ = ["CHANGE_FORMS", "DIRECTIONS", "Hierarchy", "Ratio", "Change", "Indicator", "Vocabulary"]

#: How a change is stated: ``diferencia`` x − x[prev]; ``porcentaje`` (x / x[prev] − 1) × 100;
#: ``disminucion`` x[prev] − x; ``disminucion_porcentaje`` (1 − x / x[prev]) × 100.
CHANGE_FORMS = ("diferencia", "porcentaje", "disminucion", "disminucion_porcentaje")
DIRECTIONS = ("ascendente", "descendente")


@dataclass(frozen=True)
class Hierarchy:
    """``total = Σ weight · part``; a part may itself be the total of another hierarchy (nesting)."""

    total: str
    parts: tuple[tuple[int, str], ...]
    origin: str
    fuentes: tuple[str, ...] = ()

    @property
    def concepts(self) -> tuple[str, ...]:
        return (self.total, *(c for _, c in self.parts))


@dataclass(frozen=True)
class Ratio:
    """``concept = numerator / denominator × factor`` (rates per 100, 1,000, 100,000; shares)."""

    concept: str
    numerator: str
    denominator: str
    factor: Decimal
    share: bool
    origin: str
    fuentes: tuple[str, ...] = ()

    @property
    def concepts(self) -> tuple[str, ...]:
        return (self.concept, self.numerator, self.denominator)


@dataclass(frozen=True)
class Change:
    """``concept`` is the change of ``of`` over ``lag`` steps (año, mes, trimestre), in ``form``."""

    concept: str
    of: str
    lag: int
    step: str
    form: str
    origin: str
    fuentes: tuple[str, ...] = ()

    @property
    def concepts(self) -> tuple[str, ...]:
        return (self.concept, self.of)


@dataclass(frozen=True)
class Indicator:
    """An indicator sheet: its value, baseline and target, and the direction it should move in."""

    concept: str
    direction: str
    baseline: str | None
    target: str | None
    origin: str
    fuentes: tuple[str, ...] = ()

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(c for c in (self.concept, self.baseline, self.target) if c)


@dataclass
class Vocabulary:
    concepts: dict[str, Concept]
    hierarchies: list[Hierarchy] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)

    def kind_of(self, concept: str) -> str:
        c = self.concepts.get(concept)
        return c.kind if c else ""
