"""Source texts by line, and the quote test: does a fact's quote stand at its locator?

One job: answer "is this verbatim text at these lines of that document?". Whitespace is folded
on both sides because the PDF-to-text copies break lines mid-sentence (003) and a quote that
spans lines is written with single spaces. Nothing else is normalised: accents, OCR misspellings
and punctuation must match exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

__all__ = ["SourceText", "parse_locator", "fold", "find_source"]

_LOCATOR = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def fold(text: str) -> str:
    """Collapse every run of white space to one space, the only liberty a quote may take."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def parse_locator(locator: str) -> tuple[int, int]:
    """``"38"`` → (38, 38); ``"43-50"`` → (43, 50). Raise ValueError otherwise."""
    m = _LOCATOR.match(str(locator))
    if not m:
        raise ValueError(f"locator {locator!r}: expected a line '38' or a range '43-50'")
    first = int(m[1])
    last = int(m[2]) if m[2] else first
    if first < 1 or last < first:
        raise ValueError(f"locator {locator!r}: lines count from 1 and a range must not fall")
    return first, last


def find_source(folders: Sequence[Path], doc: str) -> Path | None:
    """The source text of document ``doc`` inside one of ``folders``, or None.

    Why so strict: ``doc`` comes from a dataset (a fact's ``source``), which a pull request can
    edit; read as a path, ``/etc/passwd`` or ``../../secret`` would publish any readable file in
    the Data Docs. A document id is a *name*: no separator, no ``..``, no NUL, and the resolved
    file (symlinks followed) must still lie inside the folder it was looked up in.
    """
    if not doc or doc in (".", "..") or any(c in doc for c in "/\\\x00") or ":" in doc:
        return None
    for folder in folders:
        try:
            base = folder.resolve()
            path = (base / doc).resolve()
        except (OSError, RuntimeError, ValueError):
            continue
        if path.is_relative_to(base) and path.parent == base and path.is_file():
            return path
    return None


class SourceText:
    """One document's text, addressable by 1-based line number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines = path.read_text(encoding="utf-8").split("\n")

    def span(self, first: int, last: int) -> str:
        if last > len(self.lines):
            raise ValueError(f"{self.path.name} has {len(self.lines)} lines, locator asks for {last}")
        return "\n".join(self.lines[first - 1 : last])

    def contains(self, locator: str, quote: str) -> bool:
        first, last = parse_locator(locator)
        return fold(quote) in fold(self.span(first, last))

    @staticmethod
    @lru_cache(maxsize=64)
    def load(path: Path) -> SourceText:
        return SourceText(path)
