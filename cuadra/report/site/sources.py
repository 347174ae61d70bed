"""The source texts as pages with one anchor per line, so every quote links to where it stands.

One job: render ``fixtures/sources/<doc>.txt`` (or any folder of source texts) as
``fuentes/<doc>-<hash>.html`` with ``id="L38"`` on line 38, and answer where a fact's locator points.
The text is escaped line by line: a source is untrusted input like any quote.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlparse

from cuadra.report.documents import NO_PAGE, Document
from cuadra.report.site.common import doc_slug, e, page, plural
from cuadra.transcription.sources import SourceText, find_source, parse_locator

__all__ = ["Sources"]


def _text_names(doc: str) -> list[str]:
    """File names a document's text may have in a sources folder (issue 14).

    A bundled id names its file (``000_….txt``); a steward's document may be named by a URL or a
    title: its text is looked up by the URL's last segment, with or without ``.txt``. Only bare file
    names are returned (no folder part, no ``..``), so a lookup never leaves the folders it was given.
    """
    last = urlparse(doc).path.rstrip("/").rsplit("/", 1)[-1] if "/" in doc else doc
    names = [n for n in dict.fromkeys((doc, last, f"{last}.txt", f"{Path(last).stem}.txt")) if n]
    return [n for n in names if "/" not in n and "\\" not in n and n not in (".", "..") and not n.startswith("..")]


class Sources:
    """The source texts available to the site, by document id (``000_18269b3800bc8850.txt``)."""

    def __init__(self, folder: Path | Sequence[Path] | None, docs: Iterable[str]) -> None:
        self.texts: dict[str, SourceText] = {}
        #: Range anchors handed out by href (doc → first line → anchors): write() gives each a target,
        #: so "#L101-L102" scrolls to line 101 even with scripting off (the script highlights the range).
        self._ranges: dict[str, dict[int, set[str]]] = {}
        #: Lines cited by findings (doc → line → [(href from fuentes/, label)]): each line links back.
        self._back: dict[str, dict[int, list[tuple[str, str]]]] = {}
        folders = [folder] if isinstance(folder, Path) else list(folder or ())
        for doc in sorted(set(docs)):
            # A name looked up inside the folders, never a path (issue 15), under each name its text may have.
            path = next((p for n in _text_names(doc) if (p := find_source(folders, n)) is not None), None)
            if path is not None:
                self.texts[doc] = SourceText(path)

    def href(self, doc: str, locator: str, *, depth: int) -> str | None:
        """Link to the first line of a locator, or None when the text is not available."""
        if doc not in self.texts:
            return None
        try:
            first, last = parse_locator(locator)
        except ValueError:
            return f"{'../' * depth}fuentes/{doc_slug(doc)}"
        anchor = f"L{first}" if first == last else f"L{first}-L{last}"
        if first != last:
            self._ranges.setdefault(doc, {}).setdefault(first, set()).add(anchor)
        return f"{'../' * depth}fuentes/{doc_slug(doc)}#{anchor}"

    def link_back(self, doc: str, locator: str, href: str, label: str) -> None:
        """Record that a finding page (``href``, relative to the site root) cites these lines."""
        if doc not in self.texts:
            return
        try:
            first, last = parse_locator(locator)
        except ValueError:
            return
        for i in range(first, min(last, first + 40) + 1):
            links = self._back.setdefault(doc, {}).setdefault(i, [])
            if (href, label) not in links:
                links.append((href, label))

    def excerpt(self, doc: str, locator: str) -> str | None:
        """The verbatim lines a locator names (None when unavailable or out of range)."""
        text = self.texts.get(doc)
        if text is None:
            return None
        try:
            first, last = parse_locator(locator)
            return text.span(first, min(last, first + 11))
        except ValueError:
            return None

    def quote_found(self, doc: str, locator: str, quote: str) -> bool | None:
        text = self.texts.get(doc)
        if text is None or not quote:
            return None
        try:
            return text.contains(locator, quote)
        except ValueError:
            return False

    def _back_html(self, doc: str, i: int) -> str:
        links = self._back.get(doc, {}).get(i, [])
        if not links:
            return ""
        shown = "".join(f"<a href='../{e(h)}'>{e(t)}</a>" for h, t in links[:6])
        more = f"<span>… y {len(links) - 6} más</span>" if len(links) > 6 else ""
        return f"<span class='back' title='hallazgos que citan esta línea'>{shown}{more}</span>"

    def write(self, out: Path, documents: Mapping[str, Document] | None = None) -> list[Path]:
        """Write every text (after the pages that link into them, so range anchors are known)."""
        folder = out / "fuentes"
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for doc, text in self.texts.items():
            ranges = self._ranges.get(doc, {})
            d = (documents or {}).get(doc)
            starts = {m.line: m.page for m in d.marks} if d is not None else {}
            lines = "".join(
                (f"<div class='pg' id='p{starts[i]}'>p. {starts[i]}</div>" if i in starts else "")
                + "".join(f"<span class='anchor' id='{e(a)}'></span>" for a in sorted(ranges.get(i, ())))
                + f"<div class='l' id='L{i}'><a href='#L{i}'>{i}</a><span>{e(line)}</span>"
                + f"{self._back_html(doc, i)}</div>"
                for i, line in enumerate(text.lines, start=1))
            about = ""
            if d is not None:
                url = (f"<a href='{e(d.url)}' rel='noreferrer'>{e(d.url)}</a>"
                       + (f" (dirección que consta en {e(d.url_source)})" if d.url_source else "")
                       if d.url else "no consta en las fuentes")
                pages = (f"{plural(len(d.marks), 'encabezado', 'encabezados')} de página en el texto; {e(d.pages_note)}" if d.marks
                         else f"{NO_PAGE}: {e(d.pages_note)}")
                about = (f"<p><b>{e(d.title)}</b>{' — ' + e(d.publisher) if d.publisher else ''}</p>"
                         f"<p class='meta'>Documento original: {url}. Páginas: {pages}.</p>")
            body = (f"<h1>Texto fuente <code>{e(doc)}</code></h1>{about}<p class='meta'>{len(text.lines)} líneas, "
                    f"tal como se transcribió del documento publicado. Cada número de línea es un ancla "
                    f"(<code>#L38</code>) a la que enlazan las citas; a la derecha de una línea citada, "
                    f"los hallazgos que la citan.</p><div class='src'>{lines}</div>")
            path = folder / doc_slug(doc)
            path.write_text(page(f"Fuente {doc}", body, depth=1, crumbs=[(doc, "")]), encoding="utf-8")
            written.append(path)
        return written
