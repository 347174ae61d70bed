"""Read a figure as the IMSS reports print it: "$363,500,796.5 miles", "11.1 millones", "(846)".

One job: turn the printed text into (value, scale, decimals) without losing the published
precision, because the precision *is* the meaning (DESIGN.md, "Rounding is meaning"). The numeric
core is parsed by babel with the es_MX locale in strict mode (comma groups, point decimals), so a
malformed grouping such as "1,79" is rejected rather than guessed. Scale words follow the Spanish
long scale: mil = 10^3, millón = 10^6, mil millones = 10^9, billón = 10^12.

Imports nothing from the rest of cuadra.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

__all__ = ["Cifra", "CifraInvalida", "parse_cifra", "format_cifra", "SCALE_WORDS", "QUALIFIERS", "SIGN_WORDS",
           "read_words"]


class CifraInvalida(ValueError):
    """The text is not a figure in any format the reports use; the message says what was expected."""


@dataclass(frozen=True)
class Cifra:
    """A printed figure: ``value × 10**scale`` with ``decimals`` digits after the point."""

    value: Decimal
    scale: int
    decimals: int
    percent: bool = False
    currency: bool = False
    #: Whether the text itself states the scale ("miles", "mdp"); a bare table cell takes its scale
    #: from the table's header, so its scale is context, not text.
    scale_word: bool = False
    #: "puntos porcentuales" (or "pp"): a difference of two percentages, not a percentage.
    points: bool = False
    #: The rounding mode the words around the number imply ("cercano a" → ``approx``, "más de" →
    #: ``above``, "menos de" → ``below``; README "The data contract"); empty when the text is bare.
    bound: str = ""


# Longest first: the regex alternation must prefer "miles de millones" over "miles".
SCALE_WORDS: dict[str, int] = {
    "miles de millones de pesos": 9,
    "miles de millones": 9,
    "mil millones de pesos": 9,
    "mil millones": 9,
    "billones de pesos": 12,
    "billones": 12,
    "billón": 12,
    "millones de pesos": 6,
    "millones": 6,
    "millón": 6,
    "mmdp": 9,
    "mdp": 6,
    "miles de pesos": 3,
    "miles": 3,
    "mil": 3,
    "pesos": 0,
}
_CURRENCY_WORDS = {"mdp", "mmdp"} | {w for w in SCALE_WORDS if w.endswith("pesos")}

_WORD_RE = "|".join(re.escape(w) for w in sorted(SCALE_WORDS, key=len, reverse=True))
_NUMBER = r"\d[\d,]*(?:\.\d+)?|\.\d+"
_PART_RE = re.compile(rf"\s*(?P<num>{_NUMBER})\s*(?P<word>(?:{_WORD_RE})\b)?\s*", re.IGNORECASE)
_MINUS = "-\u2212\u2013"


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip()
    return re.sub(r"\s+", " ", text)


#: Plain ASCII digits, or digits grouped by threes: the forms babel's strict es_MX parser reads as the same
#: Decimal (checked digit for digit in tests/test_numbers.py); read directly, they skip babel's
#: per-call locale work, most of the cost of loading a large dataset (issue 17).
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[1-9][0-9]{0,2}(?:,[0-9]{3})+(?:\.[0-9]+)?")


def _core(number: str, original: str) -> tuple[Decimal, int]:
    if _PLAIN.fullmatch(number):
        value = Decimal(number.replace(",", ""))
    else:
        # babel only for the forms the pattern does not read (its import is start-up a small
        # submission of plain figures never needs, issue 17).
        from babel.numbers import NumberFormatError, parse_decimal

        try:
            value = parse_decimal(number, locale="es_MX", strict=True)
        except NumberFormatError as exc:
            raise CifraInvalida(
                f"{original!r}: the number {number!r} is not grouped as 1,234,567.8 ({exc})"
            ) from None
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    return value, decimals


#: Words before a figure that make it approximate or a bound, and the rounding mode they imply.
#: Longest first, so that "poco más de" wins over "más de".
QUALIFIERS: dict[str, str] = {
    "cercano a": "approx", "cercana a": "approx", "cercanos a": "approx", "cercanas a": "approx",
    "cerca de": "approx", "alrededor de": "approx", "aproximadamente": "approx", "casi": "approx",
    "poco más de": "above", "más de": "above", "mas de": "above", "superior a": "above",
    "por arriba de": "above", "por encima de": "above",
    "poco menos de": "below", "menos de": "below", "inferior a": "below", "por debajo de": "below",
}
#: Words that print a fall as a positive number: "una caída de 345 mil" reads -345 mil.
SIGN_WORDS = ("caída", "caídas", "disminución", "disminuciones", "pérdida", "pérdidas", "reducción",
              "decremento", "descenso", "baja")
_QUAL_RE = re.compile(r"(?i)^(?:" + "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True))
                      + r")\s+")
_SIGN_RE = re.compile(r"(?i)^(?:una?\s+)?(?:" + "|".join(SIGN_WORDS) + r")\s+(?:de(?:l)?\s+|en\s+)?")
_POINTS_RE = re.compile(r"(?i)\s*(?:puntos? porcentuales?|p\.\s?p\.|pp)$")
_PERCENT_RE = re.compile(r"(?i)\s*por ciento$")


def read_words(text: str) -> tuple[str, bool, str, bool, bool]:
    """Strip the words around a number: ``(core, negative, bound, percent, points)``.

    "una caída de 345 mil" → ("345 mil", True, "", False, False); "cercano a 2 mil 800 millones" →
    ("2 mil 800 millones", False, "approx", False, False); "3.8 por ciento" → ("3.8", …, True, False).
    Shared by the contract (``published``) and ``cuadra extraer`` so that both read a release alike.
    """
    s = _normalise(text)
    negative, bound = False, ""
    for _ in range(2):  # "una caída de casi 3 mil" and "casi una caída de": either order
        m = _SIGN_RE.match(s)
        if m:
            negative, s = True, s[m.end():]
        m = _QUAL_RE.match(s)
        if m:
            bound, s = QUALIFIERS[m.group(0).strip().lower()], s[m.end():]
    points = False
    m = _POINTS_RE.search(s)
    if m and m.start() > 0:
        points, s = True, s[: m.start()]
    s = _PERCENT_RE.sub("%", s)
    percent = s.endswith("%")
    # "un millón 98 mil 453": the article is the number one.
    s = re.sub(r"(?i)^un\s+(?=mill[oó]n\b)", "1 ", s)
    return s.strip(), negative, bound, percent, points


def parse_cifra(text: str) -> Cifra:
    """Parse one printed figure; raise :class:`CifraInvalida` saying what was expected."""
    original = text
    s, negative, bound, _, points = read_words(text)
    if not s:
        raise CifraInvalida("empty text where a figure was expected")
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    currency = False
    if s[:1] in _MINUS or s[:1] == "+":
        negative, s = (s[0] != "+") or negative, s[1:].strip()
    if s.startswith("$"):
        currency, s = True, s[1:].strip()
    if s[:1] in _MINUS:
        negative, s = True, s[1:].strip()
    # "191'907,868" / "1’001,793": an apostrophe marks the millions in Mexican handwriting style.
    s = re.sub(r"(?<=\d)['’°](?=\d{3})", ",", s)  # "1°449,807": OCR read the apostrophe as a degree
    # "mil 186 millones" reads "1 mil 186 millones".
    if re.match(r"(?i)^mil\b", s):
        s = "1 " + s
    percent = False
    if s.endswith("%"):
        percent, s = True, s[:-1].strip()
    if not s:  # a sign, a currency mark or parentheses with no digits ("−", "$", "(−)")
        raise CifraInvalida(f"{original!r}: a sign or symbol with no number; expected a figure such as '1,245'")
    parts: list[tuple[Decimal, int, int]] = []
    has_word = False
    pos = 0
    while pos < len(s):
        m = _PART_RE.match(s, pos)
        if not m or m.end() == pos:
            raise CifraInvalida(
                f"{original!r}: expected a figure such as '1,245', '$363,500,796.5 miles', "
                f"'11.1 millones', '(846)' or '2.6%'; could not read {s[pos:]!r}"
            )
        value, decimals = _core(m["num"], original)
        word = (m["word"] or "").lower()
        has_word = has_word or bool(word)
        scale = SCALE_WORDS.get(word, 0)
        if word in _CURRENCY_WORDS:
            currency = True
        parts.append((value, scale, decimals))
        pos = m.end()
        if not word and pos < len(s):
            raise CifraInvalida(f"{original!r}: unexpected text after the number: {s[pos:]!r}")
    parts = _merge_thousands(parts)
    if percent and (len(parts) > 1 or parts[0][1] != 0):
        raise CifraInvalida(f"{original!r}: a percentage cannot carry a scale word")
    if len(parts) > 1:
        # "1 millón 027 mil": each group's scale must fall, groups other than the last are integers.
        scales = [p[1] for p in parts]
        if any(a <= b for a, b in pairwise(scales)) or any(p[2] for p in parts[:-1]):
            raise CifraInvalida(f"{original!r}: compound figures read '1 millón 027 mil'")
    low = parts[-1][1]
    total = sum((v * Decimal(10) ** (sc - low) for v, sc, _ in parts), Decimal(0))
    value = -total if negative else total
    return Cifra(value=value, scale=low, decimals=parts[-1][2], percent=percent, currency=currency,
                 scale_word=has_word, points=points, bound=bound)


def _merge_thousands(parts: list[tuple[Decimal, int, int]]) -> list[tuple[Decimal, int, int]]:
    """"5 mil 167 millones" is 5,167 millones: a "mil" group followed by a larger scale word."""
    out: list[tuple[Decimal, int, int]] = []
    i = 0
    while i < len(parts):
        v, sc, d = parts[i]
        if (sc == 3 and not d and i + 1 < len(parts) and parts[i + 1][1] >= 6
                and parts[i + 1][0] < 1000 and not parts[i + 1][2]):
            out.append((v * 1000 + parts[i + 1][0], parts[i + 1][1], 0))
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


_WORD_FOR_SCALE = {0: "", 3: "miles", 6: "millones", 9: "miles de millones", 12: "billones"}


def format_cifra(
    value: Decimal,
    *,
    decimals: int,
    scale: int = 0,
    currency: bool = False,
    percent: bool = False,
    parens: bool = False,
) -> str:
    """Print ``value`` the way the reports do; the inverse of :func:`parse_cifra`."""
    if scale not in _WORD_FOR_SCALE:
        raise ValueError(f"scale must be one of {sorted(_WORD_FOR_SCALE)}, got {scale}")
    quantum = Decimal(1).scaleb(-decimals)
    body = f"{abs(value).quantize(quantum):,.{decimals}f}"
    if currency:
        body = "$" + body
    if percent:
        body += "%"
    word = _WORD_FOR_SCALE[scale]
    if word:
        body += " " + word
    if value < 0:
        body = f"({body})" if parens else "-" + body
    return body
