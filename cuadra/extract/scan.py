"""Find the figures printed in a text, and tell the numbers that are not figures.

One job: locate spans. A span is handed to the contract's own parser (``parse_cifra``, one number
parser for the whole project), so a figure ``extraer`` proposes is one the contract reads back the
same way. The patterns follow how IMSS prints figures: grouped digits ("3,578,315.1"), Spanish
scale words ("21 millones 718 mil 601", "un millón 98 mil 453", "1.2 billones"), currency, "por
ciento", "(846)" negatives, words that make a figure approximate or signed ("cercano a", "una
caída de"), and ranges ("entre 10 y 12 por ciento").

A number that is not a figure (a year, a date, an ordinal, a list or page number, a reference such
as "artículo 17" or "COVID-19") is returned as :class:`Span` with a ``reason``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cuadra.contract.numbers import QUALIFIERS, SCALE_WORDS, SIGN_WORDS, Cifra, CifraInvalida, parse_cifra

__all__ = ["Span", "scan"]

_W = "|".join(re.escape(w) for w in sorted(SCALE_WORDS, key=len, reverse=True))
_WORD = rf"(?:{_W})(?![\w])"
_NUM = r"(?:\d{1,3}(?:[,'’°]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_QUAL = "|".join(re.escape(q) for q in sorted(QUALIFIERS, key=len, reverse=True))
_SIGN = "|".join(SIGN_WORDS)
_LEAD = rf"(?P<lead>(?:(?:una?\s+)?(?:{_SIGN})\s+(?:del?\s+|en\s+)?)?(?:(?:{_QUAL})\s+)?)"
_TAIL3 = r"\d{1,3}(?![\w,.°’']|[.,]\d)"
_HEAD = rf"(?:{_NUM}\s+{_WORD}|un\s+mill[oó]n(?![\w])|mil(?=\s+\d)|(?<=de\s)mil(?![\w]))"
_COMPOUND = rf"{_HEAD}(?:\s+\d{{1,3}}\s+{_WORD})*(?:\s+{_TAIL3})?"
_PCT = r"(?:\s?%|\s+por\s+ciento(?![\w])|\s+puntos?\s+porcentuales?(?![\w]))"
FIGURE = re.compile(
    rf"{_LEAD}(?P<body>(?P<minus>(?<![\w)])[-−–](?=\$?\d))?(?P<cur>\$\s?)?"
    rf"(?P<core>{_COMPOUND}|{_NUM}(?!(?!x\s?\d)[\w°ºª]))(?P<pct>{_PCT})?)",
    re.IGNORECASE,
)
_SIMPLE = re.compile(rf"(?:{_NUM}\s+{_WORD}|{_NUM})", re.IGNORECASE)

_MONTHS = ("enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|"
           "diciembre")
_YEAR = re.compile(r"^(?:19\d\d|20\d\d)$")
_DATE_AFTER = re.compile(rf"^\s+de\s+(?:{_MONTHS})\b", re.IGNORECASE)
_SLASH_DATE = re.compile(r"\b(?:0?[1-9]|[12]\d|3[01])/(?:0?[1-9]|1[0-2])/(?:19|20)?\d\d\b")
_ORDINAL = re.compile(r"(?<![\w.,])\d{1,3}(?:o|a|er|ro|do|to|vo|no|°|º|ª)\.?(?![\w\d])", re.IGNORECASE)
_REFERENCE = re.compile(
    r"(?:art[íi]culos?|art\.|fracci[óo]n(?:es)?|numeral(?:es)?|cap[íi]tulo|anexo|cuadro|gr[áa]fica|figura|"
    r"tabla|objetivos?|estrategias?|indicador(?:es)?|acci[óo]n(?:es)? puntual(?:es)?|l[íi]neas? de acci[óo]n|"
    r"nota|p[áa]gina|p[áa]g\.|inciso|apartado|secci[óo]n|regla|lineamiento|ficha|eje|numero|número|no\.)"
    r"\s*$", re.IGNORECASE)
_LIST_START = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*[.)-]|\d{1,2}\.-)(?=\s|[A-ZÁÉÍÓÚÑ])", re.MULTILINE)


@dataclass(frozen=True)
class Span:
    """A number found in the text: a figure (``cifra`` set) or not (``reason`` set)."""

    start: int
    end: int
    text: str
    cifra: Cifra | None = None
    reason: str = ""
    #: For ranges: "desde" / "hasta"; the range's two ends are two candidates.
    note: str = ""


def _parse(text: str) -> Cifra | None:
    try:
        return parse_cifra(text)
    except (CifraInvalida, ArithmeticError):
        return None


def _not_figure(text: str, s: int, e: int, body: str, cifra: Cifra) -> str:
    """Why a bare number is not a figure, or ``""`` when it is one."""
    if cifra.scale_word or cifra.percent or cifra.points or cifra.currency or cifra.bound:
        return ""
    bare = body.strip()
    before = text[max(0, s - 40):s]
    after = text[e:e + 30]
    if s >= 2 and text[s - 1] in "-/" and (text[s - 2].isalpha()):
        return "código (COVID-19, NOM-035): parte de un nombre"
    if _YEAR.match(bare):
        return "año"
    if re.match(r"^\d{1,2}$", bare) and _DATE_AFTER.match(after):
        return "fecha (día del mes)"
    if any(d.start() <= s and e <= d.end() for d in _SLASH_DATE.finditer(text, max(0, s - 6), e + 6)):
        return "fecha (dd/mm/aaaa)"
    if _REFERENCE.search(before):
        return "referencia (artículo, cuadro, indicador, página…)"
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    if line.strip().strip("-–— ").strip() == bare and re.match(r"^\d{1,4}$", bare):
        # Only next to a page break: a number alone on a line is often a table cell.
        near = text[max(0, line_start - 3):line_end + 3]
        if "\f" in near:
            return "número de página"
    listed = _LIST_START.match(text, line_start)
    if listed and s - line_start <= 6 and listed.end() >= e:
        return "número de lista"
    return ""


def scan(text: str) -> list[Span]:
    """Every number of ``text`` as a figure span or a non-figure span, in reading order."""
    spans: list[Span] = []
    taken: list[tuple[int, int]] = []
    for m in _ORDINAL.finditer(text):
        spans.append(Span(m.start(), m.end(), m.group(0), reason="ordinal"))
        taken.append((m.start(), m.end()))
    for m in FIGURE.finditer(text):
        if any(a < m.end("core") and m.start("core") < b for a, b in taken):
            continue
        lead, body = m["lead"] or "", m["body"]
        s, e = m.start("body"), m.end("body")
        cifra = _parse(lead + body)
        if cifra is None:  # a compound that does not read: keep its first number (with its word)
            sm = _SIMPLE.match(text, m.start("core"))
            if sm is None:
                continue
            body = text[m.start("body"):sm.end()]
            e = sm.end()
            cifra = _parse(lead + body) or _parse(text[sm.start():sm.end()])
            if cifra is None:
                continue
        published = body
        if not (cifra.scale_word or cifra.percent) and s and text[s - 1] == "(" and text[e:e + 1] == ")":
            cifra = _parse("(" + body + ")") or cifra
            published, s, e = "(" + body + ")", s - 1, e + 1
        if lead:
            published, s = lead + published, m.start("lead")
        reason = _not_figure(text, s, e, body, cifra)
        spans.append(Span(s, e, published.strip(), None if reason else cifra, reason))
    spans.sort(key=lambda x: x.start)
    return _ranges(text, spans)


_RANGE_BETWEEN = re.compile(r"^\s*(?:y|a|al|-|–)\s*$", re.IGNORECASE)
_RANGE_BEFORE = re.compile(r"(?:entre|de|del|desde)\s*$", re.IGNORECASE)


def _ranges(text: str, spans: list[Span]) -> list[Span]:
    """"entre 10 y 12 por ciento", "de 5 a 7 mil": the first end takes the second's scale and kind."""
    out = list(spans)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if a.cifra is None or b.cifra is None:
            continue
        if not (_RANGE_BETWEEN.match(text[a.end:b.start]) and _RANGE_BEFORE.search(text[max(0, a.start - 8):a.start])):
            continue
        ca, cb = a.cifra, b.cifra
        bare = not (ca.scale_word or ca.percent or ca.currency)
        if bare and (cb.scale_word or cb.percent or cb.points):
            ca = Cifra(value=ca.value, scale=cb.scale, decimals=ca.decimals, percent=cb.percent,
                       currency=cb.currency, scale_word=cb.scale_word, points=cb.points, bound=ca.bound)
        out[i] = Span(a.start, a.end, a.text, ca, note="rango: desde")
        out[i + 1] = Span(b.start, b.end, b.text, cb, note="rango: hasta")
    return out
