"""Published precision as intervals, and interval arithmetic over numpy arrays.

One job: a figure published as "11.1 millones" stands for every true value that prints that way;
this module computes that set and does arithmetic on such sets. It is a leaf: it imports numpy and
nothing from cuadra.

Semantics (DESIGN.md "Rounding is meaning", after XBRL Calculations 1.1 / Arelle ``rangeValue``):

- ``nearest``: ``[v − ½·10^−d, v + ½·10^−d] · 10^s``
- ``truncate``: ``[v, v + 10^−d] · 10^s`` for v > 0, the mirror for v < 0, ``[−10^−d, 10^−d]`` for 0
- ``exact``: the point ``v · 10^s``
- ``approx`` ("cercano a", "alrededor de", "casi"): ``[v − u, v + u] · 10^s``
- ``above`` ("más de"): ``[v, v + u] · 10^s``; ``below`` ("menos de"): ``[v − u, v] · 10^s``

where ``u`` is one unit of the figure's last significant digit: ``10^−d`` when it has decimals,
else ``10^k`` for its ``k`` trailing zeros ("2 mil 800 millones" → u = 100 millones), at most 10^12.
An approximate figure is as precise as its significant digits, and no more (issue 14).

Intervals are treated as closed: a boundary touch counts as consistent, which can only spare a
figure, never accuse one (the tool must not raise false alarms).

Floating point: every bound that an operation computes is pushed outwards by ``FLOAT_SLACK``
(2^-50 of its magnitude, about four ulps of a double). That is not a data tolerance: it covers the
rounding error of the double operation itself (at most half an ulp) and of reading a decimal into a
double, so the computed interval always contains the exact one. The SQL compiler
(``cuadra/rules/to_sql.py``) performs the very same IEEE operations in the same order, so both
evaluators reach bit-identical bounds; the constants below are chosen to be exactly representable
and to be spelt in SQL without a decimal literal (``5.0 / 10^(d+1)`` rather than ``0.5e-d``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "FLOAT_SLACK",
    "EXACT_LIMIT",
    "Interval",
    "Bounds",
    "from_published",
    "bounds_from_published",
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "absolute",
    "minimum",
    "maximum",
    "intersect_many",
    "contains_zero",
    "equal",
    "less_equal",
    "less",
    "gap",
]

Rounding = Literal["nearest", "truncate", "exact", "approx", "above", "below"]
Array = npt.NDArray[np.float64]

#: 2^-50, exactly representable; written in SQL as 1.0/1125899906842624.0.
FLOAT_SLACK: float = 1.0 / 1125899906842624.0


@dataclass(frozen=True)
class Interval:
    """A closed interval of true values in base units (pesos, personas, per cent points)."""

    lo: float
    hi: float

    def __post_init__(self) -> None:
        if not self.lo <= self.hi:
            raise ValueError(f"empty interval [{self.lo}, {self.hi}]")

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def intersects(self, other: Interval) -> bool:
        return self.lo <= other.hi and other.lo <= self.hi

    def gap(self, other: Interval) -> float:
        """Distance between the two intervals; 0 when they meet."""
        return max(self.lo - other.hi, other.lo - self.hi, 0.0)

    def __str__(self) -> str:
        return f"[{self.lo:,.10g}, {self.hi:,.10g}]"


def _pow10(n: npt.ArrayLike) -> Array:
    # 10.0 ** k is exact for 0 <= k <= 22: the same value SQL's CASE table writes as a literal.
    return np.power(10.0, np.asarray(n, dtype=np.float64))


#: 2^53: below it, sums, differences and products of whole numbers are exact in a double.
EXACT_LIMIT: float = 9007199254740992.0


def down(x: Array, *operands: Array) -> Array:
    """Push a lower bound outwards by the float slack, unless it was computed exactly.

    A bound is exact when every operand that produced it is a whole number and the result is below
    2^53 (counts stated in full, and sums of them): widening it would let a strict comparison pass
    at an exact tie (``60 < 60``), which the exact evaluator rightly fails.
    """
    widened = x - np.abs(x) * FLOAT_SLACK
    return np.where(_exact(x, operands), x, widened) if operands else widened


def up(x: Array, *operands: Array) -> Array:
    """Push an upper bound outwards by the float slack, unless it was computed exactly."""
    widened = x + np.abs(x) * FLOAT_SLACK
    return np.where(_exact(x, operands), x, widened) if operands else widened


def _exact(x: Array, operands: tuple[Array, ...]) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        ok = np.abs(x) < EXACT_LIMIT
        for o in operands:
            ok = ok & (o == np.floor(o))
    return ok


@dataclass(frozen=True)
class Bounds:
    """Many intervals at once: the operands of every instance of one rule."""

    lo: Array
    hi: Array

    def __len__(self) -> int:
        return len(self.lo)

    def at(self, i: int) -> Interval | None:
        lo, hi = float(self.lo[i]), float(self.hi[i])
        if np.isnan(lo) or np.isnan(hi) or lo > hi:
            return None
        return Interval(lo, hi)


def bounds_from_published(
    value: npt.ArrayLike,
    decimals: npt.ArrayLike,
    scale: npt.ArrayLike,
    rounding: npt.ArrayLike,
) -> Bounds:
    """Vectorised ``from_published``; NaN values (NA/ND facts) give NaN bounds."""
    v = np.asarray(value, dtype=np.float64)
    d = np.asarray(decimals, dtype=np.float64)
    p = _pow10(scale)
    r = np.asarray(rounding, dtype=object)
    with np.errstate(invalid="ignore"):
        half = 5.0 / _pow10(d + 1)
        step = 1.0 / _pow10(d)
        lo = np.where(r == "exact", v, v - half)
        hi = np.where(r == "exact", v, v + half)
        trunc = r == "truncate"
        lo = np.where(trunc, np.where(v > 0, v, v - step), lo)
        hi = np.where(trunc, np.where(v < 0, v, v + step), hi)
        u = significant_unit(v, d, step)
        lo = np.where(r == "approx", v - u, np.where(r == "above", v, np.where(r == "below", v - u, lo)))
        hi = np.where(r == "approx", v + u, np.where(r == "above", v + u, np.where(r == "below", v, hi)))
        return Bounds(down(lo * p, lo), up(hi * p, hi))


#: Largest trailing-zero power an approximate figure's unit may take (SQL spells the same table).
SIGNIFICANT_MAX = 12


def significant_unit(v: Array, d: Array, step: Array) -> Array:
    """One unit of the last significant digit: ``step`` with decimals, else 10^(trailing zeros)."""
    u = step.copy()
    with np.errstate(invalid="ignore"):
        whole = (d == 0) & (v != 0) & (v == np.floor(v))
        for k in range(1, SIGNIFICANT_MAX + 1):
            u = np.where(whole & (np.fmod(np.abs(v), 10.0**k) == 0), 10.0**k, u)
    return u


def from_published(value: Decimal | float, decimals: int, scale: int, rounding: Rounding) -> Interval:
    """The interval of true values that a figure stands for, in base units."""
    b = bounds_from_published([float(value)], [decimals], [scale], np.array([rounding], dtype=object))
    return Interval(float(b.lo[0]), float(b.hi[0]))


def add(a: Bounds, b: Bounds) -> Bounds:
    return Bounds(down(a.lo + b.lo, a.lo, b.lo), up(a.hi + b.hi, a.hi, b.hi))


def sub(a: Bounds, b: Bounds) -> Bounds:
    return Bounds(down(a.lo - b.hi, a.lo, b.hi), up(a.hi - b.lo, a.hi, b.lo))


def neg(a: Bounds) -> Bounds:
    return Bounds(-a.hi, -a.lo)


def mul(a: Bounds, b: Bounds) -> Bounds:
    p = (a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi)
    ops = (a.lo, a.hi, b.lo, b.hi)
    return Bounds(down(np.minimum.reduce(p), *ops), up(np.maximum.reduce(p), *ops))


def contains_zero(b: Bounds) -> npt.NDArray[np.bool_]:
    """Where a divisor may be zero: the quotient is then unbounded and the instance indeterminate."""
    return (b.lo <= 0.0) & (b.hi >= 0.0)


def div(a: Bounds, b: Bounds) -> Bounds:
    """Quotient; where ``b`` contains 0 the bounds are NaN (callers mark those indeterminate)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q = (a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi)
        lo, hi = down(np.minimum.reduce(q)), up(np.maximum.reduce(q))
    z = contains_zero(b)
    return Bounds(np.where(z, np.nan, lo), np.where(z, np.nan, hi))


def absolute(a: Bounds) -> Bounds:
    lo = np.where(a.lo >= 0, a.lo, np.where(a.hi <= 0, -a.hi, 0.0))
    hi = np.maximum(np.abs(a.lo), np.abs(a.hi))
    return Bounds(lo, hi)


def minimum(a: Bounds, b: Bounds) -> Bounds:
    return Bounds(np.minimum(a.lo, b.lo), np.minimum(a.hi, b.hi))


def maximum(a: Bounds, b: Bounds) -> Bounds:
    return Bounds(np.maximum(a.lo, b.lo), np.maximum(a.hi, b.hi))


def intersect_many(lo: Array, hi: Array) -> tuple[float, float]:
    """Duplicates of one figure: the true value lies in all of them (empty when lo > hi)."""
    return float(np.max(lo)), float(np.min(hi))


def equal(a: Bounds, b: Bounds) -> npt.NDArray[np.bool_]:
    """Equality holds when some value is in both intervals."""
    return (a.lo <= b.hi) & (b.lo <= a.hi)


def less_equal(a: Bounds, b: Bounds) -> npt.NDArray[np.bool_]:
    """``a <= b`` holds when some values inside the intervals satisfy it."""
    return a.lo <= b.hi


def less(a: Bounds, b: Bounds) -> npt.NDArray[np.bool_]:
    return a.lo < b.hi


def gap(a: Bounds, b: Bounds, op: str) -> Array:
    """Absolute imbalance: how far the intervals are from satisfying ``a op b`` (0 when they do)."""
    with np.errstate(invalid="ignore"):
        if op == "==":
            g = np.maximum(np.maximum(a.lo - b.hi, b.lo - a.hi), 0.0)
        elif op in ("<=", "<"):
            g = np.maximum(a.lo - b.hi, 0.0)
        elif op in (">=", ">"):
            g = np.maximum(b.lo - a.hi, 0.0)
        else:
            raise ValueError(f"unknown comparison {op!r}")
    return g


def relative_gap(a: Bounds, b: Bounds, g: Array) -> Array:
    """Imbalance relative to the larger midpoint magnitude (NaN when both sides are 0)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.maximum(np.abs((a.lo + a.hi) / 2), np.abs((b.lo + b.hi) / 2))
        return np.where(scale > 0, g / scale, np.where(g > 0, np.inf, 0.0))
