"""Read a supplied dataset file into raw text records, each with the row a steward would look at.

One job: CSV (UTF-8 or latin-1; ``,`` ``;`` or ``|``), XLSX, Parquet and JSON become the same thing,
a list of ``(row_number, {column: text})``. Cells are kept as text so that "43.40" keeps its two
decimals; numeric cells of typed formats are written out without exponent. The file is only read.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import math
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from cuadra.errors import InputError
from cuadra.escape import unspreadsheet_cell
from cuadra.limits import current, human

__all__ = ["SUPPORTED", "ROW_ERROR", "Record", "read_records", "dataset_files", "load_json"]

#: Key of a record that could not be split into cells; its value says why.
ROW_ERROR = "\x00row_error"

SUPPORTED = (".csv", ".xlsx", ".parquet", ".json")
Record = tuple[int, dict[str, str]]
Progress = Callable[[float], None]


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


#: Byte-order marks, longest first (UTF-32-LE starts with UTF-16-LE's mark).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_BOM_NAMES = {"utf-32": "UTF-32", "utf-16": "UTF-16"}


def _check_size(path: Path) -> int:
    lim = current()
    n = path.stat().st_size
    if n > lim.max_bytes:
        raise InputError(str(path), None, None, f"the file is {human(n)}, above the limit of {human(lim.max_bytes)}; "
                                                "raise it with --max-bytes or CUADRA_MAX_BYTES")
    return n


def _encoding(path: Path) -> str:
    """The file's text encoding: a byte-order mark decides (UTF-8, UTF-16, UTF-32), else UTF-8 if every
    byte decodes, else latin-1. NUL bytes between the characters of a file without a mark mean
    UTF-16/32 that would silently read as garbage: refused, naming the encoding."""
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
        for bom, enc in _BOMS:
            if head.startswith(bom):
                return enc
        if head.count(0) > len(head) // 4:
            if head[1::4].count(0) == head[2::4].count(0) == head[3::4].count(0) == len(head) // 4 > 0:
                name = "UTF-32-LE"
            elif head[0::4].count(0) == head[1::4].count(0) == head[2::4].count(0) == len(head) // 4 > 0:
                name = "UTF-32-BE"
            else:
                name = "UTF-16-LE" if head[1::2].count(0) > head[0::2].count(0) else "UTF-16-BE"
            raise InputError(str(path), 1, None, f"the file looks like {name} without a byte-order mark (NUL bytes "
                                                 "between the characters): save it as UTF-8")
        fh.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                dec.decode(chunk)
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return "latin-1"
    return "utf-8"


def _decode(path: Path) -> str:
    _check_size(path)
    enc = _encoding(path)
    try:
        return path.read_bytes().decode(enc)
    except UnicodeDecodeError as exc:
        raise InputError(str(path), None, None, f"not valid {_BOM_NAMES.get(enc, enc)} text: {exc.reason}") from None


def _too_many(path: Path, row: int) -> InputError:
    lim = current()
    return InputError(str(path), row, None, f"more than {lim.max_rows:,} rows; raise the limit with --max-rows or "
                                            "CUADRA_MAX_ROWS")


def _cells(names: list[str], values: list[str]) -> dict[str, str]:
    # The writers prefix a cell that a spreadsheet would run (=, +, -, @) with an apostrophe: undo it.
    return {n: unspreadsheet_cell(c) if c[:1] == "'" else c for n, c in zip(names, values, strict=True)}


def _csv(path: Path, progress: Progress | None = None) -> Iterator[Record]:
    size = _check_size(path)
    lim = current()
    enc = _encoding(path)
    csv.field_size_limit(lim.max_cell)
    with path.open(encoding=enc, newline="", errors="strict") as fh:
        raw = fh.buffer.raw  # type: ignore[attr-defined]  # bytes read so far, for the progress bar
        try:
            first = fh.readline()
        except UnicodeDecodeError as exc:
            raise InputError(str(path), 1, None, f"not valid {_BOM_NAMES.get(enc, enc)} text: {exc.reason}") from None
        delimiter = max(",;|", key=first.count)
        reader = csv.reader(itertools.chain([first], fh), delimiter=delimiter)
        try:
            names = [h.strip() for h in next(reader)]
        except StopIteration:
            raise InputError(str(path), 1, None, "empty file: expected a header row") from None
        except csv.Error as exc:
            raise InputError(str(path), 1, None, _csv_message(exc, lim.max_cell)) from None
        n = 0
        try:
            for cells in reader:
                row = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                n += 1
                if n > lim.max_rows:
                    raise _too_many(path, row)
                if progress is not None and n % 8192 == 0:
                    progress(raw.tell() / max(size, 1))
                if len(cells) != len(names):
                    # Reported with the other contract errors, so one pass shows every bad row.
                    yield row, {ROW_ERROR: f"expected {len(names)} cells as in the header, found {len(cells)} "
                                           "(a value with commas must be quoted)"}
                    continue
                yield row, _cells(names, [c.strip() for c in cells])
        except csv.Error as exc:
            raise InputError(str(path), reader.line_num, None, _csv_message(exc, lim.max_cell)) from None
        except UnicodeDecodeError as exc:
            raise InputError(str(path), reader.line_num + 1, None,
                             f"not valid {_BOM_NAMES.get(enc, enc)} text: {exc.reason}") from None


def _csv_message(exc: csv.Error, max_cell: int) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell longer than {max_cell:,} characters: expected a value, a quote or a note"
    return f"not readable as CSV: {exc}"


def _zip_guard(path: Path) -> None:
    """Refuse a zip bomb from the sizes the archive declares, before anything is inflated.

    Python's zipfile stops inflating a member at its declared size (and then fails its CRC), so the
    declared sizes bound the work that openpyxl can be made to do.
    """
    lim = current()
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(str(path), None, None, f"not a readable XLSX workbook: {exc}") from None
    total = sum(m.file_size for m in members)
    if total > lim.max_xlsx_bytes:
        raise InputError(str(path), None, None, f"the workbook inflates to {human(total)}, above the limit of "
                                                f"{human(lim.max_xlsx_bytes)}; raise --max-bytes or save it as CSV")
    for m in members:
        if m.file_size > 1 << 20 and m.file_size > lim.max_zip_ratio * max(m.compress_size, 1):
            raise InputError(str(path), None, None, f"{m.filename} inflates {m.file_size // max(m.compress_size, 1):,}"
                                                    f" times (a zip bomb?): expected an ordinary workbook")


#: Columns read from a sheet: the contract has 13; a sheet whose dimension claims 16,384 would
#: otherwise be padded to that width on every row.
MAX_XLSX_COLUMNS = 64


def _xlsx(path: Path, progress: Progress | None = None) -> Iterator[Record]:
    import openpyxl

    _check_size(path)
    _zip_guard(path)
    lim = current()
    # Our own file handle: openpyxl opens one it never closes (a ResourceWarning at some later collection).
    fh = path.open("rb")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know: not our reader's news
            wb = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        fh.close()
        raise InputError(str(path), None, None, f"not a readable XLSX workbook: {exc}") from None
    try:
        if not wb.worksheets:
            raise InputError(str(path), None, None, "the workbook has no sheet")
        ws = wb.worksheets[0]
        total = ws.max_row or 0
        try:
            rows = ws.iter_rows(values_only=True, max_col=MAX_XLSX_COLUMNS)
            try:
                names = [_cell(h) for h in next(rows)]
            except StopIteration:
                raise InputError(str(path), 1, None, "empty sheet: expected a header row") from None
            for i, values in enumerate(rows, start=2):
                if i - 1 > lim.max_rows:
                    raise _too_many(path, i)
                if progress is not None and total and i % 8192 == 0:
                    progress(min(i / total, 1.0))
                cells = [_cell(v) for v in values]
                for name, c in zip(names, cells, strict=False):
                    if len(c) > lim.max_cell:
                        raise InputError(str(path), i, name or None, f"a cell of {len(c):,} characters, above the "
                                                                     f"limit of {lim.max_cell:,}")
                if any(cells):
                    yield i, _cells(names, (cells + [""] * len(names))[:len(names)])
        except InputError:
            raise
        except Exception as exc:  # a damaged sheet fails while streaming, not at open
            raise InputError(str(path), None, None, f"not a readable XLSX workbook: {exc}") from None
    finally:
        wb.close()
        fh.close()


def _parquet(path: Path, progress: Progress | None = None) -> Iterator[Record]:
    import pyarrow.parquet as pq

    _check_size(path)
    lim = current()
    try:
        pf = pq.ParquetFile(path)
        total = pf.metadata.num_rows
    except Exception as exc:
        raise InputError(str(path), None, None, f"not a readable Parquet file: {exc}") from None
    if total > lim.max_rows:
        raise _too_many(path, lim.max_rows + 1)
    i = 0
    try:
        for batch in pf.iter_batches(batch_size=65_536):
            for rec in batch.to_pylist():
                i += 1
                cells = {str(k): _cell(v) for k, v in rec.items()}
                for name, c in cells.items():
                    if len(c) > lim.max_cell:
                        raise InputError(str(path), i, name, f"a cell of {len(c):,} characters, above the limit of "
                                                             f"{lim.max_cell:,}")
                yield i, cells
            if progress is not None and total:
                progress(i / total)
    except InputError:
        raise
    except Exception as exc:
        raise InputError(str(path), i + 1, None, f"not a readable Parquet file: {exc}") from None


_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def _json_depth(text: str, file: str) -> None:
    """Refuse nesting deeper than the limit before ``json.loads`` recurses into it."""
    limit = current().max_json_depth
    depth = 0
    for m in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if m[0] in "[{" else -1
        if depth > limit:
            raise InputError(file, None, None, f"JSON nested more than {limit} levels deep: expected a list of facts "
                                               'or {"facts": [...]}')


def load_json(path: Path) -> Any:
    """A JSON file within the limits (size, nesting), any encoding with a byte-order mark; every
    failure an :class:`InputError` with line and column. Used for datasets and findings JSON alike."""
    text = _decode(path)
    _json_depth(text, str(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(str(path), exc.lineno, str(exc.colno), f"not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # a 5,000-digit integer; nesting the scan missed
        raise InputError(str(path), None, None, f"not readable JSON: {str(exc).split(';')[0]}") from None


def _json(path: Path, progress: Progress | None = None) -> Iterator[Record]:
    lim = current()
    data = load_json(path)
    if isinstance(data, dict) and isinstance(data.get("facts"), list):
        data = data["facts"]
    if not isinstance(data, list):
        raise InputError(str(path), None, None, 'expected a list of facts or {"facts": [...]}')
    if len(data) > lim.max_rows:
        raise _too_many(path, lim.max_rows + 1)
    for i, rec in enumerate(data, start=1):
        if not isinstance(rec, dict):
            raise InputError(str(path), i, None, "expected each fact to be an object")
        cells = {str(k): _cell(v) for k, v in rec.items()}
        for name, c in cells.items():
            if len(c) > lim.max_cell:
                raise InputError(str(path), i, name, f"a cell of {len(c):,} characters, above the limit of "
                                                     f"{lim.max_cell:,}")
        if progress is not None and i % 8192 == 0:
            progress(i / len(data))
        yield i, cells


_READERS = {".csv": _csv, ".xlsx": _xlsx, ".parquet": _parquet, ".json": _json}


def read_records(path: Path, progress: Progress | None = None) -> Iterator[Record]:
    """Stream the records of one file; ``progress`` gets the fraction read so far (0 to 1)."""
    return _READERS[path.suffix.lower()](path, progress)
