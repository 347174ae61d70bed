"""cuadra/intervals.py: precision as intervals, sound arithmetic (issue 2, item 5)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra import intervals as iv


@pytest.mark.parametrize(("value", "decimals", "scale", "rounding", "lo", "hi"), [
    (11.1, 1, 6, "nearest", 11_050_000, 11_150_000),
    (253.9, 1, 3, "truncate", 253_900, 254_000),
    (-846, 0, 0, "truncate", -847, -846),
    (0, 1, 0, "truncate", -0.1, 0.1),
    (8942, 0, 0, "exact", 8942, 8942),
    (363500796.5, 1, 3, "nearest", 363_500_796_450, 363_500_796_550),
    (2.6, 1, 0, "nearest", 2.55, 2.65),
    (1.2, 1, 12, "nearest", 1.15e12, 1.25e12),
])
def test_from_published(value: float, decimals: int, scale: int, rounding: str, lo: float, hi: float) -> None:
    got = iv.from_published(value, decimals, scale, rounding)  # type: ignore[arg-type]
    assert got.lo <= lo and got.hi >= hi  # outward (sound) ...
    assert math.isclose(got.lo, lo, rel_tol=1e-14, abs_tol=1e-14)  # ... and tight
    assert math.isclose(got.hi, hi, rel_tol=1e-14, abs_tol=1e-14)


def _b(lo: float, hi: float) -> iv.Bounds:
    return iv.Bounds(np.array([lo]), np.array([hi]))


def test_division_by_interval_containing_zero_is_nan() -> None:
    q = iv.div(_b(1, 2), _b(-1, 1))
    assert np.isnan(q.lo[0]) and np.isnan(q.hi[0])
    assert iv.contains_zero(_b(-1, 1))[0]


def test_equality_is_intersection_and_gap() -> None:
    a, b = _b(68_775_900, 68_776_100), _b(69_232_350, 69_232_450)
    assert not iv.equal(a, b)[0]
    assert iv.gap(a, b, "==")[0] == pytest.approx(456_250)
    assert iv.equal(_b(0, 1), _b(1, 2))[0]  # touching counts as consistent


# Published figures live between 1e-6 and 1e15; the float slack bounds *relative* rounding error,
# so magnitudes that underflow (below 1e-300) are outside the tool's domain and not drawn.
_magnitudes = st.floats(min_value=1e-100, max_value=1e12, allow_nan=False, allow_infinity=False)
finite = st.one_of(st.just(0.0), _magnitudes, _magnitudes.map(lambda x: -x))


@st.composite
def interval_and_point(draw: st.DrawFn) -> tuple[float, float, Decimal]:
    a, b = sorted((draw(finite), draw(finite)))
    t = draw(st.floats(0, 1))
    x = Decimal(a) + (Decimal(b) - Decimal(a)) * Decimal(t)
    x = min(max(x, Decimal(a)), Decimal(b))
    return a, b, x


@given(interval_and_point(), interval_and_point(), st.sampled_from(["+", "-", "*", "/"]))
def test_soundness(p: tuple[float, float, Decimal], q: tuple[float, float, Decimal], op: str) -> None:
    """True values drawn inside the operands' intervals give a result inside the computed interval."""
    (alo, ahi, x), (blo, bhi, y) = p, q
    a, b = _b(alo, ahi), _b(blo, bhi)
    fn = {"+": iv.add, "-": iv.sub, "*": iv.mul, "/": iv.div}[op]
    r = fn(a, b)
    if op == "/" and iv.contains_zero(b)[0]:
        assert np.isnan(r.lo[0])
        return
    exact = {"+": x + y, "-": x - y, "*": x * y, "/": (x / y) if y else None}[op]
    if exact is None:
        return
    assert Decimal(r.lo[0]) <= exact <= Decimal(r.hi[0])


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False),
       st.integers(0, 2), st.sampled_from([0, 3, 6]), st.sampled_from(["nearest", "truncate", "exact"]))
def test_published_interval_contains_every_value_that_prints_so(v: Decimal, d: int, s: int, r: str) -> None:
    """The interval of a published figure contains its exact endpoints' interior (rounding semantics)."""
    q = v.quantize(Decimal(1).scaleb(-d))
    got = iv.from_published(float(q), d, s, r)  # type: ignore[arg-type]
    step = Decimal(1).scaleb(-d)
    if r == "nearest":
        lo, hi = q - step / 2, q + step / 2
    elif r == "exact":
        lo = hi = q
    elif q > 0:
        lo, hi = q, q + step
    elif q < 0:
        lo, hi = q - step, q
    else:
        lo, hi = -step, step
    scale = Decimal(10) ** s
    assert Decimal(got.lo) <= lo * scale and hi * scale <= Decimal(got.hi)


def test_issue_5_exact_counts_are_not_widened() -> None:
    """Regression found by the mutation score: a count doubled onto its neighbour (30 → 60 beds vs
    60) made ``60 < 60`` pass, because the float slack widened bounds computed exactly."""
    a = iv.bounds_from_published([60.0], [0], [0], np.array(["exact"], dtype=object))
    assert a.lo[0] == a.hi[0] == 60.0
    assert not iv.less(a, a)[0]
    s = iv.add(a, a)
    assert s.lo[0] == s.hi[0] == 120.0
    rounded = iv.bounds_from_published([0.1], [1], [0], np.array(["nearest"], dtype=object))
    assert rounded.lo[0] < 0.05 and rounded.hi[0] > 0.15  # inexact bounds keep their slack


@pytest.mark.parametrize(("value", "decimals", "scale", "rounding", "lo", "hi"), [
    (2800, 0, 6, "approx", 2.7e9, 2.9e9),     # "cercano a 2 mil 800 millones": ± 1 of the last significant digit
    (58.2, 1, 6, "approx", 58.1e6, 58.3e6),   # "casi 58.2 millones"
    (70, 0, 6, "above", 70e6, 80e6),          # "más de 70 millones"
    (3, 0, 3, "below", 2e3, 3e3),             # "menos de 3 mil"
    (101275, 0, 0, "approx", 101274, 101276),
    (-300, 0, 0, "approx", -400, -200),
    (0, 0, 0, "approx", -1, 1),
])
def test_issue_14_approximate_figures(value: float, decimals: int, scale: int, rounding: str, lo: float,
                                      hi: float) -> None:
    """An approximate figure is as precise as its significant digits (README, "The data contract")."""
    b = iv.from_published(value, decimals, scale, rounding)  # type: ignore[arg-type]
    assert b.lo == pytest.approx(lo, rel=1e-12) and b.hi == pytest.approx(hi, rel=1e-12)
