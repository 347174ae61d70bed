"""Escape untrusted data for each medium cuadra writes: HTML, Markdown, XML, the terminal, spreadsheets.

One job: every string that comes from a dataset or a catalogue (a quote, a source, a rule title,
an instance key) is data, never markup. A pull request can edit a CSV or a rule, and what cuadra
writes is then shown in a browser (Data Docs), in a pull-request comment (Markdown), in a CI page
(JUnit) or in a terminal (rich). Each renderer sends each data string through one function here,
so that what "escaped" means for a medium is decided once.

Common to all media: control characters and line breaks are collapsed (:func:`one_line`) where a
line break could forge structure, and ``javascript:`` / ``vbscript:`` lose their colon's meaning
(a word joiner, U+2060, invisible to a reader, sits before it), so no output carries a script URL
even as text that a later tool might linkify.
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["defang", "one_line", "html_text", "md_text", "md_code", "xml_text", "rich_text",
           "spreadsheet_cell", "unspreadsheet_cell", "clean_xml_tree"]

_SCHEME = re.compile(r"(?i)\b((?:java|vb)script)(\s*):")
#: C0/C1 controls and the Unicode line/paragraph separators: a line break in any of its spellings.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
#: Characters XML 1.0 forbids outright (ElementTree would write them and produce a broken file).
_XML_ILLEGAL = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
#: Markdown's active punctuation, backslash-escaped (CommonMark); ``< > &`` become entities instead.
_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#!|~:])")
#: What may stay inside a code span as is: identifiers, periods, keys (no backtick, no markup).
_PLAIN_CODE = re.compile(r"^[\w.\-\[\]@:,+/ ]*$")
_NUMBER = re.compile(r"^[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defang(text: object) -> str:
    """The text with script URL schemes made inert (``javascript⁠:``, a word joiner before the colon)."""
    return _SCHEME.sub("\\1\\2\u2060:", "" if text is None else str(text))


def one_line(text: object) -> str:
    """Every run of control characters or line breaks becomes one space: data cannot start a line."""
    return _BREAKS.sub(" ", "" if text is None else str(text)).strip()


def html_text(text: object) -> str:
    """Escape for HTML text and for quoted attribute values alike."""
    return _html.escape(defang(text), quote=True)


def md_text(text: object) -> str:
    """A data string as inert Markdown text (GitHub-flavoured), on one line, safe in a table cell.

    ``< > &`` become entities (no HTML, no ``<!--`` that would hide the rest of a comment), other
    punctuation is backslash-escaped (no link, image ``![``, emphasis, heading or table cell break),
    and ``@`` is followed by a word joiner so it never notifies anyone.
    """
    s = _MD_PUNCT.sub(r"\\\1", one_line(defang(text)))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("@", "@\u2060")


def md_code(text: object) -> str:
    """An identifier as a code span when it is plain (rule ids, concepts, keys), else as :func:`md_text`."""
    s = one_line(text)
    if s and _PLAIN_CODE.match(s) and not _SCHEME.search(s):
        return f"`{s}`"
    return md_text(s)


def xml_text(text: object) -> str:
    """Text for an XML element or attribute: illegal characters replaced; ElementTree escapes the rest."""
    return _XML_ILLEGAL.sub("\ufffd", defang(text))


def rich_text(text: object) -> str:
    """Text for a rich console: ``[red]`` in a quote is shown, never interpreted as style."""
    from rich.markup import escape

    return escape(defang(text).replace("\x1b", "␛"))


def _quoted(text: str) -> bool:
    return text.startswith("'") and text[1:].startswith((*_FORMULA_START, "'"))


def spreadsheet_cell(text: str) -> str:
    """A cell a spreadsheet will not run: text starting with ``= + - @`` (not a plain number) gets a
    leading apostrophe, as OWASP recommends; :func:`unspreadsheet_cell` undoes it on reading."""
    if (text.startswith(_FORMULA_START) and not _NUMBER.match(text)) or _quoted(text):
        return "'" + text  # a literal apostrophe in that place is doubled, so the round trip holds
    return text


def unspreadsheet_cell(text: str) -> str:
    """The inverse of :func:`spreadsheet_cell` (the reader's side of the round trip)."""
    return text[1:] if _quoted(text) else text


def clean_xml_tree(root: object) -> None:
    """Pass every text, tail and attribute of an ElementTree through :func:`xml_text`, in place:
    one call before writing keeps a JUnit file well-formed whatever the data holds."""
    for el in root.iter():  # type: ignore[attr-defined]
        if el.text is not None:
            el.text = xml_text(el.text)
        if el.tail is not None:
            el.tail = xml_text(el.tail)
        for k, v in el.attrib.items():
            el.set(k, xml_text(v))
