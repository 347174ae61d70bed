"""The registry of units and concepts (``fixtures/concepts.yaml`` and ``fixtures/concepts/*.yaml``).

One job: know what every concept id means, its unit, its kind, and the range its values may take.
A concept means one thing: an id registered twice with a different unit or kind is an error, so
two reports that define a figure differently must use two ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cuadra.errors import InputError, InputErrors
from cuadra.yamlload import YamlError, load_yaml

if TYPE_CHECKING:
    import yaml

__all__ = ["Unit", "Concept", "Registry", "CONCEPT_ID", "RELATION_KEYS", "load_registry", "default_registry_paths"]

CONCEPT_ID = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$")
KINDS = ("flow", "stock", "rate", "share", "index", "change")
#: Relation attributes a concept may declare (issue 13); the contract keeps them as written and
#: ``cuadra.vocabulary`` reads them (components, ratio parts, the base of a change, direction).
RELATION_KEYS = ("components", "numerator", "denominator", "factor", "of", "lag", "step", "form", "direction",
                 "fuentes")


@dataclass(frozen=True)
class Unit:
    id: str
    label: str
    definition: str = ""


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    definition: str
    unit: str
    kind: str
    #: Allowed range of true values; percentages default to 0–100, ``rango: libre`` lifts it.
    rango: tuple[float, float] | None = None
    origin: str = ""
    #: The relation attributes (RELATION_KEYS) exactly as declared; interpreted by cuadra.vocabulary.
    relations: dict[str, object] = field(default_factory=dict, compare=False, hash=False)


@dataclass
class Registry:
    units: dict[str, Unit] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self.concepts

    def __getitem__(self, concept_id: str) -> Concept:
        return self.concepts[concept_id]


def default_registry_paths(fixtures: Path) -> list[Path]:
    extra = sorted((fixtures / "concepts").glob("*.yaml")) if (fixtures / "concepts").is_dir() else []
    return [fixtures / "concepts.yaml", *extra]


def _rango(raw: object, unit: str, where: str) -> tuple[float, float] | None:
    if raw is None:
        return (0.0, 100.0) if unit == "porcentaje" else None
    if raw == "libre":
        return None
    if isinstance(raw, list) and len(raw) == 2 and all(isinstance(x, int | float) for x in raw):
        return (float(raw[0]), float(raw[1]))
    raise ValueError(f"{where}: rango must be 'libre' or [min, max], got {raw!r}")


def _line_of(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


UNIT_KEYS = ("label", "definition")
CONCEPT_KEYS = ("label", "definition", "unit", "kind", "rango", *RELATION_KEYS)


def _unknown_keys(entry: object, allowed: tuple[str, ...], path: Path, line: int | None, what: str,
                  errors: list[InputError]) -> bool:
    """Report an entry that is not a mapping of known keys.

    Why: a flow mapping whose text holds a comma (``{definition: miles, millones}``) silently
    becomes extra keys; a typo (``unidad:``) would silently drop a field. Both are loud here.
    """
    if not isinstance(entry, dict):
        errors.append(InputError(str(path), line, None, f"{what}: expected a mapping of {', '.join(allowed)}"))
        return True
    extra = [str(k) for k in entry if k not in allowed]
    if extra:
        errors.append(InputError(str(path), line, None,
                                 f"{what}: unknown key(s) {', '.join(map(repr, extra))}; expected {', '.join(allowed)} "
                                 "(quote a value that contains a comma)"))
        return True
    return False


def load_registry(paths: Iterable[Path]) -> Registry:
    """Merge the registry files; every problem is reported with file and line."""
    import yaml  # lazily: a warm start parses no YAML (issue 17)

    reg = Registry()
    errors: list[InputError] = []
    for path in paths:
        if not path.exists():
            continue
        try:
            data, root = load_yaml(path)  # bounded: size, nesting, alias expansion (issue 15)
            data = data or {}
        except YamlError as exc:
            errors.append(InputError(str(path), exc.line, str(exc.col) if exc.col else None, exc.message))
            continue
        if not isinstance(data, dict):
            errors.append(InputError(str(path), 1, None, "expected a mapping with units: and concepts:"))
            continue
        lines: dict[tuple[str, str], int | None] = {}
        if isinstance(root, yaml.MappingNode):
            for k, v in root.value:
                if isinstance(v, yaml.MappingNode):
                    for kk, _ in v.value:
                        lines[(k.value, kk.value)] = _line_of(kk)
        for uid, u in (data.get("units") or {}).items():
            u = u or {}
            if _unknown_keys(u, UNIT_KEYS, path, lines.get(("units", uid)), f"unit {uid}", errors):
                continue
            reg.units[uid] = Unit(uid, str(u.get("label", uid)), str(u.get("definition", "")))
        for cid, c in (data.get("concepts") or {}).items():
            line = lines.get(("concepts", cid))
            where = f"{path.name}:{line}"
            if not CONCEPT_ID.match(str(cid)):
                errors.append(InputError(str(path), line, None, f"concept id {cid!r}: expected dotted snake_case"))
                continue
            c = c or {}
            if _unknown_keys(c, CONCEPT_KEYS, path, line, f"concept {cid}", errors):
                continue
            try:
                unit = str(c["unit"])
                kind = str(c.get("kind", "flow"))
                if kind not in KINDS:
                    raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
                concept = Concept(
                    id=cid,
                    label=str(c.get("label", cid)),
                    definition=str(c.get("definition", "")),
                    unit=unit,
                    kind=kind,
                    rango=_rango(c.get("rango"), unit, where),
                    origin=where,
                    relations={k: c[k] for k in RELATION_KEYS if k in c},
                )
            except KeyError:
                errors.append(InputError(str(path), line, None, f"concept {cid}: 'unit' is required"))
                continue
            except ValueError as exc:
                errors.append(InputError(str(path), line, None, str(exc).split(": ", 1)[-1]))
                continue
            old = reg.concepts.get(cid)
            if old is not None and (old.unit, old.kind) != (concept.unit, concept.kind):
                errors.append(
                    InputError(
                        str(path), line, None,
                        f"concept {cid} already registered at {old.origin} as {old.unit}/{old.kind}; "
                        "a concept means one thing: use another id",
                    )
                )
                continue
            if old is not None:
                # The same concept registered again (a vocabulary file beside concepts.yaml): it may
                # add relations the first entry does not declare, never change one.
                for k, v in concept.relations.items():
                    old.relations.setdefault(k, v)
                continue
            reg.concepts[cid] = concept
    for c in reg.concepts.values():
        if c.unit not in reg.units:
            file, _, line = c.origin.rpartition(":")
            errors.append(InputError(file, int(line) if line.isdigit() else None, None,
                                     f"concept {c.id}: unit {c.unit!r} is not registered"))
    if errors:
        raise InputErrors(errors)
    return reg
