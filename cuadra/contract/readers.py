"""Read a supplied dataset file into raw text records, each with the row a steward would look at.

One job: CSV (UTF-8 or latin-1; ``,`` ``;`` or ``|``), XLSX, Parquet and JSON become the same thing,
a list of ``(row_number, {column: text})``. Cells are kept as text so that "43.40" keeps its two
decimals; numeric cells of typed formats are written out without exponent. The file is only read.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from cuadra.errors import InputError

__all__ = ["SUPPORTED", "ROW_ERROR", "Record", "read_records", "dataset_files"]

#: Key of a record that could not be split into cells; its value says why.
ROW_ERROR = "\x00row_error"

SUPPORTED = (".csv", ".xlsx", ".parquet", ".json")
Record = tuple[int, dict[str, str]]


def dataset_files(path: Path) -> list[Path]:
    """A file, or every supported file below a folder (sorted, so runs are reproducible)."""
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED and p.is_file())
        if not files:
            raise InputError(str(path), None, None, f"no dataset file ({', '.join(SUPPORTED)}) in this folder")
        return files
    if not path.exists():
        raise InputError(str(path), None, None, "no such file or folder")
    if path.suffix.lower() not in SUPPORTED:
        raise InputError(str(path), None, None, f"expected a {', '.join(SUPPORTED)} file")
    return [path]


def _cell(x: Any) -> str:
    if x is None:
        return ""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return ""
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return format(Decimal(repr(x)), "f")
    return str(x).strip()


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _csv(path: Path) -> Iterator[Record]:
    text = _decode(path)
    header = text.split("\n", 1)[0]
    delimiter = max(",;|", key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        names = [h.strip() for h in next(reader)]
    except StopIteration:
        raise InputError(str(path), 1, None, "empty file: expected a header row") from None
    except csv.Error as exc:
        raise InputError(str(path), 1, None, f"not readable as CSV: {exc}") from None
    try:
        for cells in reader:
            row = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                # Reported with the other contract errors, so one pass shows every bad row.
                yield row, {ROW_ERROR: f"expected {len(names)} cells as in the header, found {len(cells)} "
                                       "(a value with commas must be quoted)"}
                continue
            yield row, {n: c.strip() for n, c in zip(names, cells, strict=True)}
    except csv.Error as exc:
        raise InputError(str(path), reader.line_num, None, f"not readable as CSV: {exc}") from None


def _xlsx(path: Path) -> Iterator[Record]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError(str(path), None, None, f"not a readable XLSX workbook: {exc}") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        names = [_cell(h) for h in next(rows)]
    except StopIteration:
        raise InputError(str(path), 1, None, "empty sheet: expected a header row") from None
    for i, values in enumerate(rows, start=2):
        cells = [_cell(v) for v in values]
        if any(cells):
            yield i, dict(zip(names, cells, strict=False))
    wb.close()


def _parquet(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise InputError(str(path), None, None, f"not a readable Parquet file: {exc}") from None
    for i, rec in enumerate(table.to_pylist(), start=1):
        yield i, {k: _cell(v) for k, v in rec.items()}


def _json(path: Path) -> Iterator[Record]:
    try:
        data = json.loads(_decode(path))
    except json.JSONDecodeError as exc:
        raise InputError(str(path), exc.lineno, None, f"not valid JSON: {exc.msg}") from None
    if isinstance(data, dict) and isinstance(data.get("facts"), list):
        data = data["facts"]
    if not isinstance(data, list):
        raise InputError(str(path), None, None, 'expected a list of facts or {"facts": [...]}')
    for i, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            raise InputError(str(path), i, None, "expected each fact to be an object")
        yield i, {k: _cell(v) for k, v in rec.items()}


_READERS = {".csv": _csv, ".xlsx": _xlsx, ".parquet": _parquet, ".json": _json}


def read_records(path: Path) -> Iterator[Record]:
    return _READERS[path.suffix.lower()](path)
