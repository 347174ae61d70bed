"""Read one YAML file safely: libyaml's safe loader, bounded in size, nesting and alias expansion.

One job: every YAML cuadra reads (rules, the concept registry, waivers, document lists) comes
through :func:`load_yaml`, which returns the data and the node tree (for line numbers) from one
parse. Why the limits: YAML aliases let 500 bytes stand for billions of nodes (a "billion laughs"
in a rule's ``titulo`` took 11 GB and 72 s the first time ``str()`` walked it), and a deep nesting
blows the composer's recursion. The events are scanned first (libyaml's parser is iterative), the
composed graph is measured with aliases expanded, and only then is anything constructed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cuadra.errors import CuadraError
from cuadra.limits import current, human

if TYPE_CHECKING:
    import yaml

__all__ = ["YamlError", "load_yaml", "loader_class"]


def loader_class() -> type:
    """libyaml when PyYAML was built with it (10-30× faster), else the pure-Python safe loader.

    PyYAML is imported here, on the first file read, not with this module: a warm start reads the
    registry and the catalogue from the cache and may parse no YAML at all (issue 17)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # type: ignore[no-any-return]


@dataclass
class YamlError(CuadraError):
    """A YAML file that cannot be read; ``line``/``col`` are 1-based (None when unknown)."""

    file: str
    line: int | None
    col: int | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "") + (f":{self.col}" if self.line and self.col else "")
        return f"{where}: {self.message}"


def _mark(exc: BaseException) -> tuple[int | None, int | None]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return mark.line + 1, mark.column + 1
    return None, None


def _scan(data: bytes, file: str) -> None:
    """Nesting depth and event count, from the parser's events (no tree is built yet)."""
    import yaml

    lim = current()
    depth = 0
    for events, ev in enumerate(yaml.parse(data, Loader=loader_class()), start=1):
        if isinstance(ev, yaml.CollectionStartEvent):
            depth += 1
            if depth > lim.max_yaml_depth:
                m = ev.start_mark
                raise YamlError(file, m.line + 1, m.column + 1,
                                f"nested more than {lim.max_yaml_depth} levels deep: expected a flat file")
        elif isinstance(ev, yaml.CollectionEndEvent):
            depth -= 1
        if events > lim.max_yaml_nodes:
            m = ev.start_mark
            raise YamlError(file, m.line + 1, m.column + 1, f"more than {lim.max_yaml_nodes:,} YAML nodes")


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


def _expanded_size(root: yaml.Node, file: str) -> int:
    """Nodes the document stands for once every alias is expanded, without expanding anything."""
    limit = current().max_yaml_nodes
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > limit:
                m = node.start_mark
                raise YamlError(file, m.line + 1, m.column + 1,
                                f"aliases expand to more than {limit:,} nodes (a YAML bomb?): write the values out")
            continue
        if key in size:
            continue
        if key in open_:
            m = node.start_mark
            raise YamlError(file, m.line + 1, m.column + 1, "an alias refers to the node that contains it")
        open_.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)
    return size[id(root)]


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """``(data, root node)`` of a one-document YAML file; raise :class:`YamlError` saying where."""
    file = str(path)
    lim = current()
    try:
        n = path.stat().st_size
        if n > lim.max_yaml_bytes:
            raise YamlError(file, None, None,
                            f"{human(n)}, above the {human(lim.max_yaml_bytes)} limit for a YAML file")
        data = path.read_bytes()
    except OSError as exc:
        raise YamlError(file, None, None, exc.strerror or str(exc)) from None
    import yaml

    loader = None
    try:
        _scan(data, file)
        loader = loader_class()(data)
        root = loader.get_single_node()
        if root is None:
            return None, None
        _expanded_size(root, file)
        return loader.construct_document(root), root
    except yaml.YAMLError as exc:
        line, col = _mark(exc)
        problem = getattr(exc, "problem", None)
        msg = f"YAML: {problem}" if problem else f"YAML: {exc}".splitlines()[0]
        raise YamlError(file, line, col, msg) from None
    except RecursionError:
        raise YamlError(file, None, None, "YAML nested too deep") from None
    finally:
        if loader is not None:
            loader.dispose()
