"""cuadra/contract/numbers.py: figures as the reports print them (issue 2, item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract.numbers import CifraInvalida, format_cifra, parse_cifra

CASES = [
    ("$363,500,796.5 miles", "363500796.5", 3, 1, True, False),
    ("11.1 millones", "11.1", 6, 1, False, False),
    ("1 millón 027 mil", "1027", 3, 0, False, False),
    ("(846)", "-846", 0, 0, False, False),
    ("2.6%", "2.6", 0, 1, False, True),
    ("-0.8%", "-0.8", 0, 1, False, True),
    ("1,245 mdp", "1245", 6, 0, True, False),
    ("$438 mil millones", "438", 9, 0, True, False),
    ("51.3 mil", "51.3", 3, 1, False, False),
    ("8,942", "8942", 0, 0, False, False),
    ("43.40", "43.40", 0, 2, False, False),
    ("191'907,868", "191907868", 0, 0, False, False),
    ("5 mil 167 millones", "5167", 6, 0, False, False),
    ("$3,578,315.1 miles de pesos", "3578315.1", 3, 1, True, False),
    ("1.2 billones", "1.2", 12, 1, False, False),
    ("−12.5", "-12.5", 0, 1, False, False),
]


@pytest.mark.parametrize(("text", "value", "scale", "decimals", "currency", "percent"), CASES)
def test_parse_table(text: str, value: str, scale: int, decimals: int, currency: bool, percent: bool) -> None:
    c = parse_cifra(text)
    assert (c.value, c.scale, c.decimals, c.currency, c.percent) == (Decimal(value), scale, decimals, currency,
                                                                      percent)


@pytest.mark.parametrize("bad", ["", "abc", "1,79", "12,34,567", "1.794,5", "2.6% miles", "1 mil 2 mil",
                                 "12 personas"])
def test_parse_rejects_with_what_was_expected(bad: str) -> None:
    with pytest.raises(CifraInvalida) as exc:
        parse_cifra(bad)
    assert str(exc.value)


def test_bare_cell_has_no_scale_word() -> None:
    assert not parse_cifra("14,919").scale_word
    assert parse_cifra("14,919 millones").scale_word


@given(
    st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"), allow_nan=False, allow_infinity=False,
                places=3),
    st.integers(0, 3), st.sampled_from([0, 3, 6, 9, 12]), st.booleans(), st.booleans(), st.booleans(),
)
def test_format_parse_round_trip(value: Decimal, decimals: int, scale: int, currency: bool, percent: bool,
                                 parens: bool) -> None:
    """Format a figure the Spanish way, parse it back: the same value, scale and decimals."""
    q = value.quantize(Decimal(1).scaleb(-decimals))
    if percent:
        scale = 0
    text = format_cifra(q, decimals=decimals, scale=scale, currency=currency, percent=percent, parens=parens)
    c = parse_cifra(text)
    assert (c.value, c.scale, c.decimals, c.percent) == (q, scale, decimals, percent)
