"""The facts contract: turn raw records into the facts frame, or say exactly what is wrong.

One job: apply the contract of DESIGN.md to every cell, collecting *every* error (a steward fixes
them all in one pass) as ``file:row:column: what was expected``. The output frame is what both
evaluators read: one row per published figure with its precision, provenance and the interval of
true values it stands for (``lo``, ``hi``, base units).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cuadra.contract.numbers import CifraInvalida, parse_cifra
from cuadra.contract.readers import ROW_ERROR, dataset_files, read_records
from cuadra.contract.registry import Registry
from cuadra.errors import InputError, InputErrors
from cuadra.intervals import bounds_from_published

__all__ = ["REQUIRED", "OPTIONAL", "FACT_COLUMNS", "Dataset", "load_facts", "facts_from_records"]

REQUIRED = ("concept", "period", "value", "unit", "scale", "decimals", "rounding", "status",
            "source", "locator", "quote")
OPTIONAL = ("published", "lectura")
ROUNDINGS = ("nearest", "truncate", "exact", "approx", "above", "below")
STATUSES = ("final", "preliminar", "NA", "ND")
SCALES = (0, 3, 6, 9, 12)
PERIOD = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
LOCATOR = re.compile(r"^\d+(?:-\d+)?$")

#: Columns of the facts frame, in order. ``fact_id`` is ``file:row``; ``lo``/``hi`` base units.
FACT_COLUMNS = [
    "fact_id", "concept", "period", "value", "unit", "scale", "decimals", "rounding", "status",
    "source", "locator", "quote", "published", "lectura", "pub_value", "pub_scale", "pub_decimals",
    "pub_error", "rango_min", "rango_max", "lo", "hi",
]


@dataclass
class Dataset:
    facts: pd.DataFrame
    files: list[Path]


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def facts_from_records(
    records: Iterable[tuple[str, int, dict[str, str]]], registry: Registry
) -> pd.DataFrame:
    """Validate ``(file, row, cells)`` records; raise :class:`InputErrors` listing every problem."""
    errors: list[InputError] = []
    out: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str, str, str], tuple[str, tuple[str, ...]]] = {}
    headers_checked: set[str] = set()
    for file, row, cells in records:
        if ROW_ERROR in cells:
            errors.append(InputError(file, row, None, cells[ROW_ERROR]))
            continue
        if file not in headers_checked:
            headers_checked.add(file)
            missing = [c for c in REQUIRED if c not in cells]
            if missing:
                errors.append(InputError(file, 1, None, f"missing column(s) {', '.join(missing)}; "
                                         f"expected {', '.join(REQUIRED + OPTIONAL)}"))
                continue
        elif any(c not in cells for c in REQUIRED):
            continue

        def err(column: str, expected: str, file: str = file, row: int = row) -> None:
            errors.append(InputError(file, row, column, expected))

        concept = cells["concept"]
        c = registry.concepts.get(concept)
        if c is None:
            err("concept", f"unknown concept {concept!r}: register it in concepts.yaml" if concept
                else "a concept id is required")
        unit = cells["unit"]
        if c is not None and unit != c.unit:
            err("unit", f"unit {unit!r} does not match concept {concept}, registered in {c.unit!r}")
        elif unit not in registry.units:
            err("unit", f"unknown unit {unit!r}; expected one of {', '.join(sorted(registry.units))}")
        period = cells["period"]
        if not PERIOD.match(period):
            err("period", f"period {period!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
        rounding = cells["rounding"] or "nearest"
        if rounding not in ROUNDINGS:
            err("rounding", f"rounding {rounding!r}: expected one of {', '.join(ROUNDINGS)}")
        status = cells["status"] or "final"
        if status not in STATUSES:
            err("status", f"status {status!r}: expected one of {', '.join(STATUSES)}")
        for col in ("source", "locator", "quote"):
            if not cells[col]:
                err(col, f"provenance: {col} is required (document, line(s), verbatim quote)")
        if cells["locator"] and not LOCATOR.match(cells["locator"]):
            err("locator", f"locator {cells['locator']!r}: expected a line '38' or a range '43-50'")

        published = cells.get("published", "") or ""
        pub_value: float = np.nan
        pub_scale: float = np.nan
        pub_decimals: float = np.nan
        pub_error = ""
        pub = None
        if published:
            try:
                pub = parse_cifra(published)
                pub_value, pub_decimals = float(pub.value), pub.decimals
                pub_scale = pub.scale if pub.scale_word else np.nan
            except CifraInvalida as exc:
                pub_error = str(exc)
        if not cells["rounding"] and pub is not None and pub.bound:
            rounding = pub.bound  # "cercano a 2 mil 800 millones": the words give the rounding mode

        value_text = cells["value"]
        value: float = np.nan
        scale = _int(cells["scale"]) if cells["scale"] else None
        decimals = _int(cells["decimals"]) if cells["decimals"] else None
        if cells["scale"] and scale is None:
            err("scale", f"scale {cells['scale']!r}: expected a power of ten, one of {SCALES}")
        if cells["decimals"] and (decimals is None or decimals < 0):
            err("decimals", f"decimals {cells['decimals']!r}: expected a whole number ≥ 0")
        if status in ("NA", "ND"):
            if value_text:
                err("value", f"status {status} (no aplica / no disponible) takes no value, got {value_text!r}")
        elif not value_text:
            err("value", "a value is required unless status is NA or ND")
        else:
            try:
                cifra = parse_cifra(value_text)
                value = float(cifra.value)
                if cifra.scale and scale is not None and scale != cifra.scale:
                    err("scale", f"value {value_text!r} says scale {cifra.scale}, column says {scale}")
                if scale is None:
                    scale = cifra.scale if cifra.scale or pub is None or not pub.scale_word else pub.scale
                if decimals is None:
                    decimals = cifra.decimals if "." in value_text or pub is None else pub.decimals
            except CifraInvalida:
                err("value", f"value {value_text!r} does not parse: expected a number such as "
                             "363500796.5, 1,245, -0.8 or (846)")
        if scale is None and status not in ("NA", "ND"):
            scale = 0
        if decimals is None:
            decimals = 0
        if scale is not None and scale not in SCALES:
            err("scale", f"scale {scale}: expected one of {', '.join(map(str, SCALES))}")

        # The same figure may be stated twice in one document, even on one line: each statement is
        # a fact with its own quote. The same quote twice is a copy, not a second statement.
        # The same row read twice (a reference table copied into the dataset's folder) is one fact.
        key = (concept, period, cells["source"], cells["locator"], cells["quote"])
        same = tuple(cells.get(c, "") or "" for c in REQUIRED + OPTIONAL)
        if key in seen:
            if seen[key][1] == same:
                continue
            err("concept", f"duplicate fact: same concept, period, source, locator and quote as {seen[key][0]} "
                           "but other values; state each figure once")
        else:
            seen[key] = (f"{file}:{row}", same)
        rango = c.rango if c is not None else None
        out.append({
            "fact_id": f"{Path(file).name}:{row}",
            "concept": concept, "period": period, "value": value, "unit": unit,
            "scale": scale if scale is not None else 0, "decimals": decimals,
            "rounding": rounding, "status": status,
            "source": cells["source"], "locator": cells["locator"], "quote": cells["quote"],
            "published": published, "lectura": cells.get("lectura", "") or "",
            "pub_value": pub_value, "pub_scale": pub_scale, "pub_decimals": pub_decimals,
            "pub_error": pub_error,
            "rango_min": rango[0] if rango else np.nan, "rango_max": rango[1] if rango else np.nan,
        })
    if errors:
        raise InputErrors(errors)
    return _finish(out)


def _finish(rows: list[dict[str, object]]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=[c for c in FACT_COLUMNS if c not in ("lo", "hi")])
    df = df.astype({"value": "float64", "scale": "int64", "decimals": "int64", "pub_value": "float64",
                    "pub_scale": "float64", "pub_decimals": "float64", "rango_min": "float64",
                    "rango_max": "float64"})
    b = bounds_from_published(df["value"].to_numpy(), df["decimals"].to_numpy(), df["scale"].to_numpy(),
                              df["rounding"].to_numpy(dtype=object))
    df["lo"], df["hi"] = b.lo, b.hi
    return df.reset_index(drop=True)


def load_facts(path: Path, registry: Registry, extra: Sequence[Path] = ()) -> Dataset:
    """Load a file or a folder of files; every contract error of every file is raised together.

    ``extra`` files (reference tables) are read after the dataset's, under the same contract, so a
    reference figure is a fact like any other: provenance, precision, duplicates checked.
    """
    files = dataset_files(path)
    mine = {f.resolve() for f in files}
    files += [f for f in extra if f.resolve() not in mine]  # validating the reference itself reads it once
    errors: list[InputError] = []
    records: list[tuple[str, int, dict[str, str]]] = []
    for f in files:
        try:
            records.extend((str(f), row, cells) for row, cells in read_records(f))
        except InputError as exc:
            errors.append(exc)
    try:
        facts = facts_from_records(records, registry) if records or not errors else None
    except InputErrors as exc:
        errors.extend(exc.errors)
        facts = None
    if errors or facts is None:
        raise InputErrors(errors or [InputError(str(path), None, None, "no facts found")])
    if facts.empty:
        raise InputErrors([InputError(str(path), None, None, "no facts found")])
    return Dataset(facts=facts, files=files)

