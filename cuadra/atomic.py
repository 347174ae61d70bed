"""Write outputs atomically: a reader (or a CI upload) sees the old file or the new one, never half.

One job: a temporary file in the same folder, then :func:`os.replace` (atomic on one filesystem);
for a folder (the Data Docs site), a temporary sibling folder swapped in with two renames. An
interrupted run (Ctrl-C, a crash) leaves the previous output intact and removes its temporary.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_text_atomic", "atomic_dir", "NotASite"]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on error it is removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


class NotASite(OSError):
    """The folder named for the Data Docs holds other things and no site: refuse to replace it."""


@contextmanager
def atomic_dir(path: Path, *, marker: str = "index.html") -> Iterator[Path]:
    """Yield an empty temporary folder beside ``path``; on success it takes ``path``'s place.

    The old folder is renamed aside, the new one renamed in, then the old one removed: a reader
    never finds a half-written site under ``path``. Entries of the old folder that the new one does
    not have (a findings JSON written beside the site) are carried over, never deleted; a non-empty
    folder without ``marker`` is not a site and is refused before anything is written.
    """
    path = Path(os.path.abspath(path))
    if path.exists() and (not path.is_dir() or (any(path.iterdir()) and not (path / marker).exists())):
        raise NotASite(0, "exists and is not a cuadra site (no index.html): choose an empty or new folder",
                       str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if path.exists():
        for child in path.iterdir():
            if not (tmp / child.name).exists():
                os.replace(child, tmp / child.name)
        old = path.with_name(tmp.name.removesuffix(".tmp") + ".old")
        os.replace(path, old)
    os.replace(tmp, path)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
