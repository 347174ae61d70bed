"""A steward's workspace: ``cuadra.toml`` keeps the options so that the commands stay short.

One job: read the file once (the CLI does, at the top) and hand its settings down as a value; no
module below reads it (DESIGN.md, "Workspace"). Paths in the file are relative to the file's folder.

```toml
[cuadra]
dataset = "datos"                # what `cuadra validate` reads when no PATH is given
concepts = ["concepts.yaml"]     # added to the bundled registry (--concepts)
rules = ["rules"]                # files or folders, added to the bundled catalogue (--rules)
waivers = ["waivers.yaml"]       # added to the bundled waiver register (--waivers)
fuentes = ["fuentes"]            # folders with the documents' texts, for the Data Docs (--fuentes)
solo = false                     # true: only the files above, nothing bundled (--solo)
reference = []                   # reference tables instead of the bundled ones (--reference)
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cuadra.errors import InputError

__all__ = ["Workspace", "read_workspace", "find_workspace", "FILE_NAME"]

FILE_NAME = "cuadra.toml"
_LISTS = ("concepts", "rules", "waivers", "fuentes", "reference")
_KEYS = (*_LISTS, "dataset", "solo")


@dataclass(frozen=True)
class Workspace:
    root: Path
    dataset: Path | None = None
    concepts: tuple[Path, ...] = ()
    rules: tuple[Path, ...] = ()
    waivers: tuple[Path, ...] = ()
    fuentes: tuple[Path, ...] = ()
    reference: tuple[Path, ...] = ()
    solo: bool = False


def find_workspace(folder: Path) -> Path | None:
    """``folder/cuadra.toml`` when it exists (only there: a workspace is where the steward stands)."""
    path = folder / FILE_NAME
    return path if path.is_file() else None


def read_workspace(path: Path) -> Workspace:
    """Parse ``cuadra.toml``; raise :class:`InputError` naming the file, line and the key expected."""
    import tomllib  # only where a workspace exists (start-up, issue 17)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"\(at line (\d+), column \d+\)", str(exc))  # Python < 3.14 has no exc.lineno
        raise InputError(str(path), int(at[1]) if at else None, None, f"TOML: {exc}") from None
    except UnicodeDecodeError:
        raise InputError(str(path), None, None, "expected a UTF-8 TOML file") from None
    table = data.get("cuadra")
    if not isinstance(table, dict):
        raise InputError(str(path), None, None, "expected a [cuadra] table (cuadra init writes one)")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise InputError(str(path), None, unknown[0], f"unknown key(s) {', '.join(unknown)}; expected "
                                                      f"{', '.join(_KEYS)}")
    root = path.parent
    lists: dict[str, tuple[Path, ...]] = {}
    for key in _LISTS:
        raw = table.get(key, [])
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
            raise InputError(str(path), None, key, f"{key}: expected a list of paths such as [\"{key}.yaml\"]")
        lists[key] = tuple(root / x for x in raw)
    dataset = table.get("dataset")
    if dataset is not None and (not isinstance(dataset, str) or not dataset):
        raise InputError(str(path), None, "dataset", "dataset: expected the path of the dataset (file or folder)")
    solo = table.get("solo", False)
    if not isinstance(solo, bool):
        raise InputError(str(path), None, "solo", "solo: expected true or false")
    return Workspace(root=root, dataset=root / dataset if dataset else None, solo=solo, **lists)
