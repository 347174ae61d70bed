"""The document register: each source's title, original URL and page map (text line → printed page).

One job: read ``fixtures/documents.yaml`` (and the reference tables' register) and answer, for a
document id and a locator, how an auditor cites it: "p. 334, línea 2245". The page map is derived
from the page headers the text extraction kept (``tools/page_map.py`` writes it; never by hand):
a mark says "the page numbered N starts at this line". Between two marks that are not consecutive
pages the line is somewhere in a page range; before the first mark, or in a text with no marks at
all, the page is not known and the citation says so ("página no disponible") instead of guessing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from cuadra.transcription.sources import parse_locator

__all__ = ["Document", "PageMark", "load_documents", "cite", "NO_PAGE"]

NO_PAGE = "página no disponible"


@dataclass(frozen=True)
class PageMark:
    line: int
    page: int


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    publisher: str = ""
    url: str | None = None
    #: Where the URL is stated (a source line), when it is not the document itself.
    url_source: str = ""
    marks: tuple[PageMark, ...] = ()
    total_pages: int | None = None
    pages_note: str = ""

    def page_of(self, line: int) -> str | None:
        """The printed page a text line stands on ("p. 334", "pp. 334–336"), or None when unknown."""
        before = [m for m in self.marks if m.line <= line]
        if not before:
            return f"antes de la p. {self.marks[0].page}" if self.marks and self.marks[0].page > 1 else None
        mark = before[-1]
        later = [m for m in self.marks if m.line > line]
        if later:
            last = later[0].page - 1
        elif self.total_pages is not None:
            last = self.total_pages
        else:
            return f"p. {mark.page} o siguientes"
        return f"p. {mark.page}" if last <= mark.page else f"pp. {mark.page}–{last}"


def load_documents(paths: Iterable[Path]) -> dict[str, Document]:
    """Every document of the given registers, by id; a missing register contributes nothing."""
    out: dict[str, Document] = {}
    for path in paths:
        if not path.is_file():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for d in data.get("documents") or []:
            pages = d.get("paginas") or {}
            marks = tuple(PageMark(int(m["linea"]), int(m["pagina"])) for m in pages.get("marcas") or [])
            out[str(d["id"])] = Document(
                id=str(d["id"]), title=str(d.get("title") or ""), publisher=str(d.get("publisher") or ""),
                url=d.get("url") or None, url_source=str(d.get("url_fuente") or ""), marks=marks,
                total_pages=int(pages["total"]) if pages.get("total") else None,
                pages_note=str(pages.get("nota") or ""))
    return out


def cite(documents: Mapping[str, Document], doc: str, locator: str) -> str:
    """How a line is cited: "p. 334, línea 2245", "pp. 334–336, líneas 2243-2250", "página no disponible, línea 38"."""
    try:
        first, last = parse_locator(locator)
    except ValueError:
        return f"{NO_PAGE}, {locator}"
    lines = f"línea {first}" if first == last else f"líneas {first}-{last}"
    d = documents.get(doc)
    pages = [d.page_of(first), d.page_of(last)] if d is not None else [None, None]
    if pages[0] is None or pages[1] is None:
        return f"{NO_PAGE}, {lines}"
    page = pages[0] if pages[0] == pages[1] else f"{pages[0]} a {pages[1]}"
    return f"{page}, {lines}"
