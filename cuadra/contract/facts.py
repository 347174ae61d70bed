"""The facts contract: turn raw records into the facts frame, or say exactly what is wrong.

One job: apply the contract of DESIGN.md to every cell, collecting *every* error (a steward fixes
them all in one pass) as ``file:row:column: what was expected``. The output frame is what both
evaluators read: one row per published figure with its precision, provenance and the interval of
true values it stands for (``lo``, ``hi``, base units).
"""

from __future__ import annotations

import math
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cuadra.contract.numbers import CifraInvalida, parse_cifra
from cuadra.contract.readers import ROW_ERROR, dataset_files, read_records
from cuadra.contract.registry import Registry
from cuadra.errors import InputError, InputErrors
from cuadra.intervals import bounds_from_published
from cuadra.limits import current

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
    if not text.isascii():
        return None
    try:
        return int(text)
    except ValueError:
        return None


#: A NUL byte, or a decimal digit other than 0-9 (full-width ２, Arabic-Indic ٢, ...): "２０２３" would
#: never meet "2023", and a NUL is how a binary file or a truncated export shows itself.
_BAD_CHAR = re.compile(r"\x00|(?![0-9])\d")
#: Digits a figure may carry after the point, and its largest magnitude in base units (value ×
#: 10^scale): far above any published figure, far below float overflow (a 400-digit value is not
#: ``inf``, it is refused).
MAX_DECIMALS = 20
MAX_MAGNITUDE = 1e30


def _in_range(value: float, scale: int) -> bool:
    return math.isfinite(value) and abs(value) * 10.0 ** scale <= MAX_MAGNITUDE


def _bad_chars(cells: dict[str, str]) -> list[tuple[str, str]]:
    """``(column, what is wrong)`` for every cell holding a NUL or a non-ASCII digit."""
    out: list[tuple[str, str]] = []
    if not _BAD_CHAR.search("\x1f".join(cells.values())):  # one search per row, the cell only on a hit
        return out
    for name, text in cells.items():
        m = _BAD_CHAR.search(text)
        if m:
            ch = m[0]
            what = ("NUL byte (is this a binary or UTF-16 file?)" if ch == "\x00" else
                    f"digit {ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, '')}): write digits 0-9")
            out.append((name, f"unexpected {what}"))
    return out


def facts_from_records(
    records: Iterable[tuple[str, int, dict[str, str]]], registry: Registry,
    errors: list[InputError] | None = None,
) -> pd.DataFrame:
    """Validate ``(file, row, cells)`` records; raise :class:`InputErrors` listing every problem.

    Records are consumed as a stream and kept by column (not a dict per fact), and text that
    repeats (concepts, units, sources, periods) is stored once: reading a million facts costs the
    frame, not ten copies of it. ``errors`` may hold errors found while reading (they stop the run
    the same way).
    """
    errors = [] if errors is None else errors
    max_errors = current().max_errors
    # Numbers go straight into typed arrays (8 bytes a value, not a 32-byte Python float and its pointer).
    cols: dict[str, list[object] | array] = {c: array(_TYPED[c]) if c in _TYPED else []
                                             for c in FACT_COLUMNS if c not in ("lo", "hi")}
    shared: dict[str, str] = {}
    names: dict[str, str] = {}
    # Duplicate keys by their hash (one int per fact, not five strings' tuple); a hash hit is confirmed
    # against the stored columns whenever they are kept (no error yet), so a collision is never reported.
    seen: dict[int, tuple[str, int, int, int]] = {}
    headers_checked: set[str] = set()
    for file, row, cells in records:
        if len(errors) >= max_errors:
            errors.append(InputError(file, row, None, f"stopped after {max_errors:,} errors: fix these first"))
            break
        if ROW_ERROR in cells:
            errors.append(InputError(file, row, None, cells[ROW_ERROR]))
            continue
        bad = _bad_chars(cells)
        if bad:
            errors.extend(InputError(file, row, col, what) for col, what in bad)
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
                if not _in_range(pub_value, pub.scale) or pub_decimals > MAX_DECIMALS:
                    err("published", f"published {published[:40]!r}{'…' if len(published) > 40 else ''} is out of "
                                     f"range: expected a figure below 10^30 with at most {MAX_DECIMALS} decimals")
                    pub, pub_value, pub_decimals = None, np.nan, np.nan
                else:
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
        if cells["decimals"] and (decimals is None or not 0 <= decimals <= MAX_DECIMALS):
            err("decimals", f"decimals {cells['decimals'][:40]!r}: expected a whole number from 0 to {MAX_DECIMALS}")
            decimals = 0
        if status in ("NA", "ND"):
            if value_text:
                err("value", f"status {status} (no aplica / no disponible) takes no value, got {value_text!r}")
        elif not value_text:
            err("value", "a value is required unless status is NA or ND")
        else:
            try:
                cifra = parse_cifra(value_text)
                value = float(cifra.value)
                if not _in_range(value, scale if scale in SCALES else cifra.scale):
                    err("value", f"value {value_text[:40]!r}{'…' if len(value_text) > 40 else ''} is out of range: "
                                 f"expected a figure below 10^30 in base units")
                    value = np.nan
                if cifra.scale and scale is not None and scale != cifra.scale:
                    err("scale", f"value {value_text!r} says scale {cifra.scale}, column says {scale}")
                if scale is None:
                    scale = cifra.scale if cifra.scale or pub is None or not pub.scale_word else pub.scale
                if decimals is None:
                    decimals = cifra.decimals if "." in value_text or pub is None else pub.decimals
            except CifraInvalida:
                err("value", f"value {value_text!r} does not parse: expected a number such as "
                             "363500796.5, 1,245, -0.8 or (846)")
        if decimals is not None and decimals > MAX_DECIMALS:
            err("decimals", f"{decimals} decimals: expected at most {MAX_DECIMALS}")
            decimals = 0
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
        # The same row twice is one fact (issue 14); the same key with other values is an error.
        same = hash(tuple(cells.get(c, "") or "" for c in REQUIRED + OPTIONAL))
        h = hash(key)
        first = seen.get(h)
        if first is not None and (errors or tuple(cols[k][first[2]] for k in _KEY) == key):
            if first[3] == same:
                continue
            err("concept", "duplicate fact: same concept, period, source, locator and quote as "
                           f"{first[0]}:{first[1]} "
                           "but other values; state each figure once")
        elif first is None:
            seen[h] = (file, row, len(cols["fact_id"]), same)
        rango = c.rango if c is not None else None
        if errors:
            continue  # the frame is never built: keep only what reports the errors
        if file not in names:
            names[file] = Path(file).name
        fact = {
            "fact_id": f"{names[file]}:{row}",
            "concept": concept, "period": period, "value": value, "unit": unit,
            "scale": scale if scale is not None else 0, "decimals": decimals,
            "rounding": rounding, "status": status,
            "source": cells["source"], "locator": cells["locator"], "quote": cells["quote"],
            "published": published, "lectura": cells.get("lectura", "") or "",
            "pub_value": pub_value, "pub_scale": pub_scale, "pub_decimals": pub_decimals,
            "pub_error": pub_error,
            "rango_min": rango[0] if rango else np.nan, "rango_max": rango[1] if rango else np.nan,
        }
        for k, v in fact.items():
            cols[k].append(shared.setdefault(v, v) if k in _SHARED else v)
    if errors:
        raise InputErrors(errors)
    return _frame(cols)


_KEY = ("concept", "period", "source", "locator", "quote")
#: Columns whose text repeats from fact to fact: one string object each, however many facts (a
#: figure as printed and its reading repeat across editions and restatements; a quote is shared by
#: the facts read from one line of a table and repeats across editions).
_SHARED = frozenset({"concept", "period", "unit", "rounding", "status", "source", "locator", "pub_error",
                     "published", "lectura", "quote"})


#: Typed columns of the facts frame: array typecodes (float64, int64).
_TYPED = {"value": "d", "scale": "q", "decimals": "q", "pub_value": "d", "pub_scale": "d", "pub_decimals": "d",
          "rango_min": "d", "rango_max": "d"}


def _finish(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The facts frame from row dicts (test strategies and benchmarks build facts this way)."""
    return _frame({c: [r.get(c, np.nan) for r in rows] for c in FACT_COLUMNS if c not in ("lo", "hi")})


def _frame(cols: dict[str, list[object] | array]) -> pd.DataFrame:
    # Column by column, each list released as soon as its array exists: the peak is one column, not two frames.
    data = {}
    for c in [c for c in FACT_COLUMNS if c not in ("lo", "hi")]:
        raw = cols.pop(c)
        if c in _TYPED:
            dtype = "float64" if _TYPED[c] == "d" else "int64"
            data[c] = np.frombuffer(raw, dtype=dtype) if isinstance(raw, array) else np.asarray(raw, dtype=dtype)
        else:
            data[c] = np.array(raw, dtype=object)
        del raw
    df = pd.DataFrame(data, copy=False)
    b = bounds_from_published(df["value"].to_numpy(), df["decimals"].to_numpy(), df["scale"].to_numpy(),
                              df["rounding"].to_numpy(dtype=object))
    df["lo"], df["hi"] = b.lo, b.hi
    return df  # its index is already 0..n-1: ``reset_index`` would copy every column at the peak of reading


def load_facts(path: Path, registry: Registry, extra: Sequence[Path] = (),
               progress: Callable[[int, int], None] | None = None) -> Dataset:
    """Load a file or a folder of files; every contract error of every file is raised together.

    ``extra`` files (reference tables) are read after the dataset's, under the same contract, so a
    reference figure is a fact like any other: provenance, precision, duplicates checked. Files are
    streamed (never held whole beside the frame); ``progress(done, total)`` counts kilobytes read.
    """
    files = dataset_files(path)
    mine = {f.resolve() for f in files}
    files += [f for f in extra if f.resolve() not in mine]  # validating the reference itself reads it once
    errors: list[InputError] = []
    sizes = [max(f.stat().st_size // 1024, 1) for f in files]
    total = sum(sizes)
    max_rows = current().max_rows
    counted = [0]

    def records() -> Iterator[tuple[str, int, dict[str, str]]]:
        done = 0
        for f, size in zip(files, sizes, strict=True):
            def step(fraction: float, done: int = done, size: int = size) -> None:
                if progress is not None:
                    progress(done + int(fraction * size), total)
            try:
                for row, cells in read_records(f, step):
                    counted[0] += 1
                    if counted[0] > max_rows:
                        errors.append(InputError(str(f), row, None, f"more than {max_rows:,} facts in the "
                                                 "dataset; raise the limit with --max-rows or CUADRA_MAX_ROWS"))
                        return
                    yield str(f), row, cells
            except InputError as exc:
                errors.append(exc)
            done += size
            if progress is not None:
                progress(done, total)

    try:
        facts = facts_from_records(records(), registry, errors)
    except InputErrors as exc:
        raise InputErrors(exc.errors) from None
    if errors:
        raise InputErrors(errors)
    if facts.empty:
        raise InputErrors([InputError(str(path), None, None, "no facts found")])
    return Dataset(facts=facts, files=files)
