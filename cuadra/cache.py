"""The compiled-input cache: a registry or catalogue parsed once per content, not once per run.

One job: remember the value a pure builder made from some files, keyed by the SHA-256 of those
files' bytes (and names), the cuadra version and any extra input the builder depends on. Why: the
registry and the catalogue are most of a small run's cost (YAML parsing and rule compilation), and
a steward validates on every save, a gate sits in a pre-commit hook. Imports neither pandas,
pandera nor GX.

Trust: an entry is a pickle written by this module in the user's own cache folder
(``$CUADRA_CACHE``, else ``$XDG_CACHE_HOME/cuadra``, else ``~/.cache/cuadra``). It is read only
when its name is the hash of the current inputs *and* the hash stored inside it matches, so a
stale entry is never used; a corrupt or unreadable one is ignored and rebuilt. A builder that
raises (bad input) caches nothing, so errors are always reported from the files themselves.
``CUADRA_CACHE=off`` disables the cache.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from cuadra import __version__

__all__ = ["cache_dir", "cached", "content_key"]

T = TypeVar("T")

#: Bump when the pickled classes change shape in a way the version number would not show.
FORMAT = b"cuadra-cache-1"


def cache_dir() -> Path | None:
    """Where entries live, or ``None`` when caching is off."""
    env = os.environ.get("CUADRA_CACHE")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "no", "false") else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "cuadra"


def content_key(tag: str, files: Iterable[Path], extra: bytes = b"") -> str:
    """SHA-256 of the builder's tag, the version, every file's name and bytes, and ``extra``.

    A missing file counts as its own state (the registry skips absent files), so creating it
    changes the key.
    """
    h = hashlib.sha256()
    for part in (FORMAT, tag.encode(), __version__.encode(), extra):
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    for f in files:
        name = str(Path(f).resolve()).encode()
        h.update(len(name).to_bytes(8, "little"))
        h.update(name)
        try:
            data = Path(f).read_bytes()
        except FileNotFoundError:
            h.update(b"\xff" * 8)
            continue
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _read(path: Path, key: str) -> tuple[bool, object]:
    # The collector off while unpickling: the catalogue is tens of thousands of new objects, and in a
    # process that has imported pandas and pandera each collection they trigger walks every object
    # alive (measured: 150 ms with it, 30 ms without; issue 17). Nothing here makes a cycle to free.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as fh:
            stored_key, value = pickle.load(fh)  # our own entry, keyed by content (module docstring)
    except Exception:  # corrupt, truncated, written by an incompatible version: rebuild
        return False, None
    finally:
        if enabled:
            gc.enable()
    return (stored_key == key), value


def _write(path: Path, key: str, value: object) -> None:
    """Atomically: a temporary file in the same folder, then a rename (no half entry is ever seen)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((key, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, pickle.PicklingError):
        pass  # a read-only home or a full disk must never fail a validation


def cached(tag: str, files: Iterable[Path], build: Callable[[], T], extra: bytes = b"") -> T:
    """``build()``, or the value it returned last time for the same inputs."""
    folder = cache_dir()
    if folder is None:
        return build()
    key = content_key(tag, list(files), extra)
    path = folder / f"{tag}-{key[:32]}.pickle"
    if path.exists():
        ok, value = _read(path, key)
        if ok:
            return value  # type: ignore[return-value]
    value = build()
    _write(path, key, value)
    return value
