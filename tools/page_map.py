"""Derive each document's page map from the page headers its text kept; write it into documents.yaml.

One job: ``python tools/page_map.py`` rewrites the ``paginas`` block of every document in
``fixtures/documents.yaml`` from the source texts;
``--check`` only says whether the committed blocks are what the texts give (exit 1 if not; a test
runs it). The texts are extractions of PDFs with no form feeds, so a page is recognised by what
the printer put on it and the extraction kept:

- a line "… Página N de M" (002's running header): page N of M;
- a line holding only a number, right after a running header that stands alone between blank
  runs (003: "Informe al ejecutivo …" / "Capítulo XII. …" then "334").

The page starts at the first line of that header block (after the run of blank lines that ends
the previous page). A text with no such header gets no marks and the note says so: the Data Docs
then print "página no disponible" rather than a guessed page. The numbers are the printed page
numbers, which may differ from a PDF viewer's page index.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
#: The reports' register. The reference tables' (fixtures/reference/documents.yaml) is a data table
#: transcribed from a repository file, not a paged document: it has no page map.
REGISTERS = (ROOT / "fixtures" / "documents.yaml",)
_PAGE_OF = re.compile(r"P[áa]gina\s+(\d+)\s+de\s+(\d+)")
_NUMBER = re.compile(r"\s*(\d{1,4})\s*")
NO_MARKS = ("el texto no conserva encabezados ni números de página: la página de cada línea no está "
            "disponible")


def _blank(lines: list[str], i: int) -> bool:
    return i < 0 or not lines[i].strip()


def _block_start(lines: list[str], i: int) -> int:
    """First line of the header block holding line ``i`` (0-based): after the last run of 2+ blanks."""
    j = i
    while j > 0 and i - j < 6 and not (_blank(lines, j - 1) and _blank(lines, j - 2)):
        j -= 1
    while _blank(lines, j) and j < i:
        j += 1
    return j


def page_marks(text: str) -> tuple[list[dict[str, int]], int | None]:
    """``([{linea, pagina}], total pages or None)`` from one text; lines count from 1."""
    lines = text.split("\n")
    marks: list[dict[str, int]] = []
    total = None
    for i, line in enumerate(lines):
        m = _PAGE_OF.search(line)
        if m:
            marks.append({"linea": _block_start(lines, i) + 1, "pagina": int(m[1])})
            total = int(m[2])
            continue
        n = _NUMBER.fullmatch(line)
        if not n:
            continue
        j = i - 1
        while j >= 0 and _blank(lines, j) and i - j <= 2:
            j -= 1
        # The header: 20+ characters alone after a blank run, at most one blank line above the number.
        if j >= 0 and i - j <= 2 and not _blank(lines, j) and _blank(lines, j - 1) and _blank(lines, j - 2) \
                and len(lines[j].strip()) >= 20:
            marks.append({"linea": _block_start(lines, j) + 1, "pagina": int(n[1])})
    pages = [m["pagina"] for m in marks]
    if pages != sorted(set(pages)):
        raise ValueError(f"page numbers do not increase: {pages}")
    return marks, total


def _block(text: str) -> dict[str, object]:
    marks, total = page_marks(text)
    if not marks:
        return {"marcas": [], "nota": NO_MARKS}
    note = ("páginas impresas, de los encabezados de página que conservó la extracción del PDF; entre dos "
            "marcas no consecutivas la línea está en un intervalo de páginas")
    return {"marcas": marks, **({"total": total} if total else {}), "nota": note}


def render(register: Path) -> str:
    """The register with every document's ``paginas`` block derived again (the header comment kept)."""
    text = register.read_text(encoding="utf-8")
    header = "".join(line + "\n" for line in text.split("\n") if line.startswith("#"))
    data = yaml.safe_load(text)
    for d in data["documents"]:
        d.pop("paginas", None)
        d["paginas"] = _block((ROOT / d["source_file"]).read_text(encoding="utf-8"))
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)


def main(argv: list[str]) -> int:
    stale = []
    for register in REGISTERS:
        new = render(register)
        if new != register.read_text(encoding="utf-8"):
            stale.append(register)
            if "--check" not in argv:
                register.write_text(new, encoding="utf-8")
    if "--check" in argv and stale:
        print("page maps out of date (run python tools/page_map.py): " + ", ".join(map(str, stale)))
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
