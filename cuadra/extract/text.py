"""A document's text as lines: plain text as it is, PDF through PDFium (the ``pdf`` extra).

One job: give :mod:`cuadra.extract.candidates` numbered lines, so that a candidate's ``locator``
points at the same line a reader finds in the text. A PDF's pages are joined in order, one line per
text line PDFium reports; the page breaks become form feeds, as ``pdftotext`` writes them.
"""

from __future__ import annotations

from pathlib import Path

from cuadra.errors import InputError

__all__ = ["read_document"]


def _pdf_lines(path: Path) -> list[str]:
    try:
        import pypdfium2 as pdfium
    except ImportError:
        raise InputError(str(path), None, None,
                         "reading PDF needs the 'pdf' extra: pip install 'cuadra[pdf]' "
                         "(or give the text: pdftotext -layout FILE.pdf)") from None
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise InputError(str(path), None, None, f"not a readable PDF ({exc})") from None
    lines: list[str] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            text = page.get_textpage().get_text_range()
            page_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if i and page_lines:
                page_lines[0] = "\f" + page_lines[0]
            lines.extend(page_lines)
    finally:
        pdf.close()
    return lines


def read_document(path: Path) -> list[str]:
    """The document's lines (1-based line ``n`` is ``lines[n - 1]``); raise InputError when unreadable."""
    if not path.is_file():
        raise InputError(str(path), None, None, "no such file: give a .txt or .pdf release")
    if path.suffix.lower() == ".pdf":
        return _pdf_lines(path)
    raw = path.read_bytes()
    if raw.startswith(b"%PDF"):
        return _pdf_lines(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\r\n", "\n").split("\n")
