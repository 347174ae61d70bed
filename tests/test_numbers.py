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


# --- issue 14: figures as the releases print them, in words -------------------------------------

from cuadra.contract.numbers import QUALIFIERS  # noqa: E402


def _en_palabras(n: int, *, un: bool, pad: bool) -> str:
    """``n`` the way IMSS releases print it: "21 millones 718 mil 601", "un millón 98 mil 453", "mil 186"."""
    m, k, u = n // 10**6, (n // 1000) % 1000, n % 1000
    parts = []
    if m:
        if m >= 1000:
            parts.append(f"{m // 1000} mil millones" if m % 1000 == 0 else f"{m // 1000} mil {m % 1000} millones")
        else:
            parts.append(("un millón" if un else "1 millón") if m == 1 else f"{m} millones")
    if k:
        parts.append("mil" if k == 1 and not m and un else f"{k:03d} mil" if pad and m else f"{k} mil")
    if u:
        parts.append(f"{u:03d}" if pad and (m or k) else str(u))
    return " ".join(parts)


@given(st.integers(1, 10**12 - 1), st.booleans(), st.booleans())
def test_words_round_trip(n: int, un: bool, pad: bool) -> None:
    """"21 millones 718 mil 601" reads back to 21,718,601 with the precision it prints (issue 14)."""
    c = parse_cifra(_en_palabras(n, un=un, pad=pad))
    assert c.value.scaleb(c.scale) == n and c.decimals == 0


@given(st.integers(1, 10**9), st.sampled_from(sorted(QUALIFIERS)), st.sampled_from(["", "una caída de ",
                                                                                       "disminución de "]))
def test_qualifiers_and_signed_readings(n: int, qualifier: str, sign: str) -> None:
    """"cercano a", "más de", "menos de" give the rounding mode; "una caída de" the sign."""
    c = parse_cifra(f"{sign}{qualifier} {_en_palabras(n, un=False, pad=False)}")
    assert c.bound == QUALIFIERS[qualifier]
    assert c.value.scaleb(c.scale) == (-n if sign else n)


@given(st.decimals(min_value=Decimal("-100"), max_value=Decimal("100"), places=2, allow_nan=False,
                   allow_infinity=False), st.integers(0, 2), st.sampled_from(["%", " %", " por ciento",
                                                                               " puntos porcentuales"]))
def test_percentages_and_points_round_trip(value: Decimal, decimals: int, suffix: str) -> None:
    q = value.quantize(Decimal(1).scaleb(-decimals))
    c = parse_cifra(f"{q}{suffix}")
    assert (c.value, c.decimals, c.scale) == (q, decimals, 0)
    assert c.points == suffix.endswith("porcentuales")
    assert c.percent == (not c.points)


@pytest.mark.parametrize(("text", "value", "scale", "bound"), [
    ("cercano a 2 mil 800 millones", "2800", 6, "approx"),
    ("alrededor de 63.1 millones", "63.1", 6, "approx"),
    ("casi 58.2 millones de pesos", "58.2", 6, "approx"),
    ("más de 70 millones", "70", 6, "above"),
    ("menos de 3 mil", "3", 3, "below"),
    ("una caída de 345 mil", "-345", 3, ""),
    ("pérdida de $1,245 mdp", "-1245", 6, ""),
    ("un millón 98 mil 453", "1098453", 0, ""),
])
def test_release_wording_table(text: str, value: str, scale: int, bound: str) -> None:
    c = parse_cifra(text)
    assert (c.value, c.scale, c.bound) == (Decimal(value), scale, bound)


_DIGITS = r"\d{1,12}(\.\d{1,6})?|[1-9]\d{0,2}(,\d{3}){1,4}(\.\d{1,6})?|\d{1,4}(,\d{1,4}){1,3}"


@given(st.from_regex(_DIGITS, fullmatch=True))
def test_plain_fast_path_reads_as_babel_does(number: str) -> None:
    """Issue 17: digits (grouped by threes or not) skip babel; they must give babel's Decimal, digit
    for digit, and every other grouping must still go to babel and be refused as it refuses it."""
    from babel.numbers import NumberFormatError, parse_decimal

    from cuadra.contract.numbers import _core

    try:
        expected = parse_decimal(number, locale="es_MX", strict=True)
    except NumberFormatError:
        with pytest.raises(CifraInvalida):
            _core(number, number)
        return
    assert _core(number, number)[0].as_tuple() == expected.as_tuple()


@pytest.mark.parametrize("text", ["−", "-", "− ", "(−)", "$", "+"])
def test_a_sign_with_no_number_is_refused_not_a_crash(text: str) -> None:
    """Fuzzing found "−" (U+2212) alone crashing the parser (IndexError, exit 3): it is bad input."""
    with pytest.raises(CifraInvalida, match="no number"):
        parse_cifra(text)
