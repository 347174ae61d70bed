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
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cuadra.contract.numbers import CifraInvalida, parse_cifra
from cuadra.contract.readers import ROW_ERROR, dataset_files, read_records
from cuadra.contract.registry import Registry
from cuadra.errors import InputError, InputErrors
from cuadra.intervals import bounds_from_published
from cuadra.limits import current
from cuadra.textcolumn import TextColumn, string_hashes

# Arrow's default pool (mimalloc) keeps the pages it frees, so the transients of building the frame's
# Arrow columns (fact ids, quotes) stayed in the process's peak; the system allocator hands large blocks back
# (100 editions of the bundle: 247 -> 204 MiB peak while reading, 343 -> 312 MiB through the rules).
pa.set_memory_pool(pa.system_memory_pool())

__all__ = ["REQUIRED", "OPTIONAL", "FACT_COLUMNS", "Dataset", "load_facts", "facts_from_records",
           "distinct_rows", "iter_distinct_rows", "from_files"]

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


#: A NUL byte, a decimal digit other than 0-9 (full-width ２, Arabic-Indic ٢, ...) or a lone surrogate:
#: "２０２３" would never meet "2023", a NUL is how a binary file or a truncated export shows itself, and a
#: lone surrogate (``"\ud800"`` in a JSON file) is no character at all: no text can be stored or quoted with it.
_BAD_CHAR = re.compile("\x00|(?![0-9])\\d|[\ud800-\udfff]")
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
                    f"lone surrogate U+{ord(ch):04X}: not a character (is the text UTF-16 split in halves?)"
                    if "\ud800" <= ch <= "\udfff" else
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
    # Text as codes while streaming (a dict text -> code per column and 4 bytes a fact), numbers straight into
    # typed arrays: no Python object per fact survives a row, and the frame is built from the arrays at the end.
    text = _text_columns()
    typed = {c: array(t) for c, t in _TYPED.items()}
    # Every row that reaches the duplicate check (stored or not): its file, row and a hash of its cells.
    # Duplicates are found after the stream from these arrays (``_duplicates``), not in a dict per fact.
    where_file = array("i")
    where_row = array("q")
    row_hash = array("q")
    err_at = array("q")  # for rows past the first error: how many errors were known when the row was checked
    file_codes: dict[str, int] = {}
    quotes = _Quotes()
    headers_checked: set[str] = set()
    stopped: InputError | None = None
    for file, row, cells in records:
        if len(errors) >= max_errors:
            stopped = InputError(file, row, None, f"stopped after {max_errors:,} errors: fix these first")
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
        # a fact with its own quote. The same quote twice is a copy, not a second statement; the same
        # row read twice (a reference table copied into the dataset's folder) is one fact (issue 14).
        # Both are decided after the stream (``_duplicates``): here the row only leaves its key's codes,
        # where it is, and a hash of its cells.
        code = file_codes.get(file)
        if code is None:
            code = file_codes[file] = len(file_codes)
        where_file.append(code)
        where_row.append(row)
        row_hash.append(_row_hash(cells))
        for k in _KEY_CODED:
            text[k].add(cells[k])
        quotes.add(cells["quote"])
        if errors:
            err_at.append(len(errors))
            continue  # the frame is never built: keep only what reports the errors
        for k, v in (("unit", unit), ("rounding", rounding), ("status", status), ("published", published),
                     ("lectura", cells.get("lectura", "") or ""), ("pub_error", pub_error)):
            text[k].add(v)
        for k, x in (("value", value), ("scale", scale if scale is not None else 0), ("decimals", decimals),
                     ("pub_value", pub_value), ("pub_scale", pub_scale), ("pub_decimals", pub_decimals)):
            typed[k].append(x)
    text["quote"] = quotes.encoded()
    del quotes
    files = list(file_codes)
    stored = len(typed["value"])
    later, first, same = _duplicates(text, typed, np.frombuffer(row_hash, dtype=np.int64), stored)
    del row_hash
    dup = ~same
    if dup.any() or errors or stopped is not None:
        wf, wr = np.frombuffer(where_file, dtype=np.int32), np.frombuffer(where_row, dtype=np.int64)
        found = [(0 if j < stored else err_at[j - stored], j,
                  InputError(files[wf[j]], int(wr[j]), "concept", "duplicate fact: same concept, period, source, "
                             f"locator and quote as {files[wf[first[i]]]}:{wr[first[i]]} but other values; "
                             "state each figure once"))
                 for i, j in enumerate(later.tolist()) if dup[i]]
        raise InputErrors(_merged(errors, sorted(found, key=lambda x: (x[0], x[1])), stopped, max_errors))
    drop = later[same]
    return _frame(text, typed, files, where_file, where_row, registry, drop)


_KEY = ("concept", "period", "source", "locator", "quote")
_KEY_CODED = ("concept", "period", "source", "locator")  # the quote is coded after the stream (``_Quotes``)
#: Text columns of the facts frame: stored as codes while reading, categorical in the frame (a column of
#: codes and one str per distinct text: concepts, units, sources and periods repeat across facts); the quote,
#: nearly one a fact, is an Arrow string column instead (``quote_column``).
_TEXT = ("concept", "period", "unit", "rounding", "status", "source", "locator", "quote", "published", "lectura",
         "pub_error")
#: Typed columns filled while reading: array typecodes (float64; int8 where the contract bounds the value:
#: scale is one of 0-12, decimals at most MAX_DECIMALS). ``rango_min``/``rango_max`` come from the concept.
#: ``pub_scale``/``pub_decimals`` (the printed text's scale and decimals, NaN when it states none) are
#: float32: small integers or NaN, exact in 32 bits, read as float64 by their consumers (issue 17: 8 B/fact).
_TYPED = {"value": "d", "scale": "b", "decimals": "b", "pub_value": "d", "pub_scale": "f", "pub_decimals": "f"}
#: numpy dtype of each typed column of the frame.
_DTYPES = {"value": np.float64, "scale": np.int8, "decimals": np.int8, "pub_value": np.float64,
           "pub_scale": np.float32, "pub_decimals": np.float32, "rango_min": np.float64, "rango_max": np.float64}


def _text_columns() -> dict[str, _Codes]:
    # A closed vocabulary is every column's categories from the start: a fact may be set to any of its words.
    return {c: _Codes(ROUNDINGS if c == "rounding" else STATUSES if c == "status" else ()) for c in _TEXT}


class _Codes:
    """One text column while streaming: a code per row, and each distinct text once."""

    __slots__ = ("codes", "index")

    def __init__(self, known: Sequence[str] = ()) -> None:
        self.index: dict[str, int] = {t: i for i, t in enumerate(known)}
        self.codes = array("i")

    def add(self, text: str) -> None:
        self.codes.append(self.index.setdefault(text, len(self.index)))

    def array(self, n: int | None = None) -> npt.NDArray[np.int32]:
        a = self.codes if isinstance(self.codes, np.ndarray) else np.frombuffer(self.codes, dtype=np.int32)
        return a if n is None else a[:n]


class _Quotes:
    """The quote column while streaming: UTF-8 bytes end to end, an Arrow string column after the stream.

    A quote rarely repeats beyond its table line (each edition of a report quotes itself), so a dict of
    them is one Python str and one entry per fact; here a fact costs its bytes and an offset, the buffer
    read becomes the frame's column as is (``quote_column``), and the duplicate check gets the quotes'
    codes from Arrow: no Python str is made for a quote."""

    __slots__ = ("data", "ends")

    def __init__(self) -> None:
        self.data = bytearray()
        self.ends = array("q")

    def add(self, text: str) -> None:
        self.data += text.encode("utf-8")  # lone surrogates were refused (``_BAD_CHAR``): always valid UTF-8
        self.ends.append(len(self.data))

    def encoded(self) -> QuoteCodes:
        n = len(self.ends)
        offsets = np.zeros(n + 1, dtype=np.int64)
        offsets[1:] = np.frombuffer(self.ends, dtype=np.int64)
        self.ends = array("q")
        column = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(self.data))
        self.data = bytearray()  # the column holds the buffer now
        return QuoteCodes(column)


class QuoteCodes(_Codes):
    """The quote column after the stream: the column itself, and a code per row for the duplicate key.

    The codes are first a 64-bit hash of each quote, computed on the column's buffers (8 bytes a fact;
    Arrow's dictionary of every distinct quote cost ~120 bytes a fact at the end of reading 10 M facts,
    issue 17). ``_duplicates`` confirms on the quotes themselves every pair the hashes make key-mates
    and, on a collision, asks for exact codes (``exact``) and starts again."""

    __slots__ = ("column", "hashed")

    def __init__(self, column: pa.LargeStringArray) -> None:
        super().__init__()
        self.column = column
        self.codes = string_hashes(column).view(np.int64)  # type: ignore[assignment]
        self.hashed = True

    def exact(self) -> None:
        """Codes by Arrow's dictionary encoding: equal codes if and only if equal quotes."""
        enc = pc.dictionary_encode(self.column)
        self.codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)  # type: ignore[assignment]
        self.hashed = False

    def array(self, n: int | None = None) -> npt.NDArray[np.int64]:  # type: ignore[override]
        a: npt.NDArray[np.int64] = self.codes  # type: ignore[assignment]
        return a if n is None else a[:n]

    def same_quote(self, a: npt.NDArray[np.intp], b: npt.NDArray[np.intp]) -> bool:
        """Whether rows ``a[i]`` and ``b[i]`` hold the same quote, for every ``i``."""
        if not self.hashed or not len(a):
            return True
        return bool(pc.all(pc.equal(self.column.take(pa.array(a)), self.column.take(pa.array(b)))).as_py())


def quote_column(column: pa.Array, keep: npt.NDArray[np.bool_] | None = None) -> pd.arrays.ArrowStringArray:
    """The quote column: Arrow strings (``string[pyarrow]``), the bytes read and an offset a fact.

    Why not a pandas ``Categorical`` as the other text columns: nearly every fact has its own quote (0.77
    distinct a fact on editions of the bundle), and a category is a Python str (~150 bytes for a 70-byte
    quote, against 78 here); pandas also hashes every category whenever it hashes the dtype (Pandera's
    failure cases do), a bytes copy of each quote at the run's peak (issue 17, 10 M facts). Nor an Arrow
    dictionary: pandas turns a slice of one into numpy through its whole dictionary, every quote a str."""
    return pd.arrays.ArrowStringArray(column if keep is None else column.filter(pa.array(keep)))


def _row_hash(cells: dict[str, str]) -> int:
    """A hash of every contract cell of a row as written: equal rows hash equal (a hit is confirmed after)."""
    return hash(tuple(cells.get(c, "") or "" for c in REQUIRED + OPTIONAL))


def _duplicates(text: dict[str, _Codes], typed: dict[str, array], row_hash: npt.NDArray[np.int64],
                stored: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """``(later, first, same)``: every checked row whose key an earlier row had, that first row, and whether
    the two are the same row (one fact) rather than a duplicate fact.

    The key is compared exactly (its columns' codes; the quotes' hashes, confirmed on the quotes), so a key
    is never mistaken for another. Rows count as the same when their cells hash equal; where both rows are
    in the frame (``< stored``) that hit is confirmed on every stored column, so a hash collision is
    reported as the duplicate it is, never dropped.
    """
    keys = [text[k].array() for k in _KEY]
    n = len(keys[0])
    if n < 2:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0, dtype=bool)
    order = np.lexsort(keys[::-1])  # stable: rows of one key stay in reading order, the first one first
    starts = np.ones(n, dtype=bool)
    for a in keys:
        s = a[order]
        starts[1:] &= s[1:] == s[:-1]
    starts[1:] = ~starts[1:]
    head = order[np.maximum.accumulate(np.where(starts, np.arange(n), 0))]
    later, first = order[~starts], head[~starts]
    del keys, order, starts, head
    quotes = text["quote"]
    if isinstance(quotes, QuoteCodes) and not quotes.same_quote(later, first):
        quotes.exact()  # two quotes hashed alike: the key is compared on exact codes instead
        return _duplicates(text, typed, row_hash, stored)
    if len(later) == 0:
        return later, first, np.zeros(0, dtype=bool)
    same = row_hash[later] == row_hash[first]
    check = same & (later < stored) & (first < stored)
    if check.any():
        a, b = first[check], later[check]
        equal = np.ones(len(a), dtype=bool)
        for k in _TEXT:
            col = text[k].array()
            equal &= col[a] == col[b]
        for k in _TYPED:
            col = np.frombuffer(typed[k], dtype=_DTYPES[k])
            x, y = col[a], col[b]
            equal &= (x == y) | (np.isnan(x) & np.isnan(y)) if col.dtype.kind == "f" else x == y
        same[check] = equal
    return later, first, same


def _merged(errors: list[InputError], found: list[tuple[int, int, InputError]], stopped: InputError | None,
            max_errors: int) -> list[InputError]:
    """The stream's errors with the duplicates found after it, each where reading found it, at most
    ``max_errors`` of them (then one line saying so)."""
    out: list[InputError] = []
    it = iter(found)
    nxt = next(it, None)
    for i, e in enumerate([*errors, None]):
        while nxt is not None and nxt[0] <= i:
            out.append(nxt[2])
            nxt = next(it, None)
        if e is not None:
            out.append(e)
    if len(out) > max_errors:
        cut = out[max_errors]
        return [*out[:max_errors], InputError(cut.file, cut.row, None,
                                              f"stopped after {max_errors:,} errors: fix these first")]
    return out if stopped is None else [*out, stopped]


def _finish(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The facts frame from row dicts (test strategies and benchmarks build facts this way), with the
    dtypes a frame read from files has."""
    text = _text_columns()
    for r in rows:
        for c in _TEXT:
            if c != "quote":
                text[c].add(str(r.get(c, "") or ""))
    quotes = [str(r.get("quote", "") or "") for r in rows]
    df = pd.DataFrame({c: quote_column(pa.array(quotes, type=pa.large_string())) if c == "quote" else
                       _categorical(text[c].array(), list(text[c].index)) if c in _TEXT else
                       _ids([str(r["fact_id"]) for r in rows]) if c == "fact_id" else
                       np.asarray([r.get(c, np.nan) for r in rows], dtype=_DTYPES[c])
                       for c in FACT_COLUMNS if c not in ("lo", "hi")}, copy=False)
    return _bounded(df)


def _categorical(codes: npt.NDArray[np.int32], cats: list[str]) -> pd.Categorical:
    """A text column from its codes, its categories in str order: sorting the column sorts it as text."""
    order = np.argsort(np.asarray(cats, dtype=object), kind="stable")
    rank = np.empty(len(cats), dtype=np.int32)
    rank[order] = np.arange(len(cats), dtype=np.int32)
    out = pd.Categorical.from_codes(rank[codes], categories=[cats[i] for i in order.tolist()])
    # pandas checked the categories' uniqueness with a hash table it keeps (~100 bytes a distinct quote, for
    # nothing after that check): drop it; a lookup rebuilds it.
    cleanup = getattr(out.categories, "_cleanup", None)
    if cleanup is not None:
        cleanup()
    return out


def _ids(ids: list[str]) -> pd.arrays.ArrowStringArray:
    return pd.arrays.ArrowStringArray(pa.array(ids, type=pa.large_string()))


def _frame(text: dict[str, _Codes], typed: dict[str, array], files: list[str], where_file: array,
           where_row: array, registry: Registry, drop: npt.NDArray[np.intp]) -> pd.DataFrame:
    # Column by column, each stream array released as soon as its column exists: the peak is one column.
    keep = None
    n = len(typed["value"])
    if len(drop):
        keep = np.ones(n, dtype=bool)
        keep[drop] = False
    data: dict[str, object] = {}
    wf = np.frombuffer(where_file, dtype=np.int32)[:n]
    wr = np.frombuffer(where_row, dtype=np.int64)[:n]
    data["fact_id"] = _fact_ids(files, wf if keep is None else wf[keep], wr if keep is None else wr[keep])
    del wf, wr
    for c in FACT_COLUMNS[1:]:
        if c in _TEXT:
            col = text.pop(c)
            if isinstance(col, QuoteCodes):
                data[c] = quote_column(col.column, keep)
            else:
                codes = col.array(n)
                data[c] = _categorical(codes if keep is None else codes[keep], list(col.index))
                del codes
            del col
        elif c in _TYPED:
            raw = np.frombuffer(typed.pop(c), dtype=_DTYPES[c])
            data[c] = raw.copy() if keep is None else raw[keep]
            del raw
    # A concept's range is the registry's: one lookup per concept, not one float pair per row while reading.
    concept: pd.Categorical = data["concept"]  # type: ignore[assignment]
    ranges = [registry.concepts[k].rango or (np.nan, np.nan) for k in concept.categories]
    cc = concept.codes
    data["rango_min"] = np.array([r[0] for r in ranges], dtype=np.float64)[cc]
    data["rango_max"] = np.array([r[1] for r in ranges], dtype=np.float64)[cc]
    df = pd.DataFrame({c: data.pop(c) for c in FACT_COLUMNS if c not in ("lo", "hi")}, copy=False)
    return _bounded(df)


#: Facts bounded at a time: ``bounds_from_published`` makes a dozen float64 temporaries a fact, so the
#: frame's bounds are computed in slices of this many (10 M facts at once: ~600 MB of temporaries).
_BOUND_SLICE = 1 << 18


def _bounded(df: pd.DataFrame) -> pd.DataFrame:
    n = len(df)
    lo, hi = np.empty(n, dtype=np.float64), np.empty(n, dtype=np.float64)
    value, decimals, scale = (df[c].to_numpy() for c in ("value", "decimals", "scale"))
    rounding = TextColumn(df["rounding"])
    for a in range(0, n, _BOUND_SLICE):
        b = min(n, a + _BOUND_SLICE)
        part = bounds_from_published(value[a:b], decimals[a:b].astype(np.int64), scale[a:b].astype(np.int64),
                                     rounding.take(np.arange(a, b)))
        lo[a:b], hi[a:b] = part.lo, part.hi
    df["lo"], df["hi"] = lo, hi
    return df  # its index is already 0..n-1: ``reset_index`` would copy every column at the peak of reading


def _fact_ids(files: list[str], file_code: npt.NDArray[np.int32],
              row: npt.NDArray[np.int64]) -> pd.arrays.ArrowStringArray:
    """``name:row`` for every fact as one Arrow string column (a few bytes a fact, not a Python str each),
    built a file at a time (a file's rows are consecutive in the frame)."""
    chunks = []
    if len(file_code):
        bounds = np.flatnonzero(np.diff(file_code)) + 1
        for lo, hi in zip([0, *bounds.tolist()], [*bounds.tolist(), len(file_code)], strict=True):
            name = Path(files[int(file_code[lo])]).name
            rows = pc.cast(pa.array(row[lo:hi]), pa.large_string())
            chunks.append(pc.binary_join_element_wise(pa.scalar(name, pa.large_string()), rows,
                                                      pa.scalar(":", pa.large_string())))
    if not chunks:
        return pd.arrays.ArrowStringArray(pa.array([], pa.large_string()))
    return pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=pa.large_string()).combine_chunks())


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


def _codes(col: pd.Series) -> tuple[npt.NDArray[np.integer], pd.Index]:
    """A column's codes and its distinct values: free for a categorical, one factorize otherwise."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.cat.codes.to_numpy(), col.cat.categories
    codes, uniques = pd.factorize(col.to_numpy(dtype=object))
    return codes, pd.Index(uniques, dtype=object)


def distinct_rows(facts: pd.DataFrame, columns: Sequence[str]) -> list[tuple[str, ...]]:
    """The distinct ``columns`` tuples of ``facts`` as strs, in order of first appearance (as
    ``drop_duplicates``), found on the columns' codes: only the distinct tuples are decoded."""
    return list(iter_distinct_rows(facts, columns))


#: Distinct tuples decoded at a time by :func:`iter_distinct_rows`.
_DECODE_SLICE = 1 << 16


def iter_distinct_rows(facts: pd.DataFrame, columns: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """:func:`distinct_rows` one tuple at a time, decoded a slice at a time: on 10 M facts of distinct
    periods the list of every tuple was ~900 MB (the template expansion reads each tuple once)."""
    if facts.empty:
        return
    parts = [_codes(facts[c]) for c in columns]
    key = np.zeros(len(facts), dtype=np.int64)
    for codes, cats in parts:  # mixed radix over the codes (+1: a missing value's -1 is a digit too)
        radix = len(cats) + 1
        if int(key.max()) >= np.iinfo(np.int64).max // radix - 1:  # renumbered before the product overflows
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
        key *= radix
        key += codes
        key += 1
    _, first = np.unique(key, return_index=True)
    del key
    first.sort()
    texts = [TextColumn(facts[c]) for c in columns]
    for a in range(0, len(first), _DECODE_SLICE):
        at = first[a:a + _DECODE_SLICE]
        cols = [t.take(at) for t in texts]
        yield from (tuple(x if type(x) is str else str(x) for x in row) for row in zip(*cols, strict=True))


def from_files(facts: pd.DataFrame, names: Iterable[str]) -> npt.NDArray[np.bool_]:
    """Which facts were read from a file named in ``names`` (their ``fact_id`` is ``name:row``), matched
    in Arrow over the column: no Python str per fact."""
    names = sorted(set(names))
    if not names or facts.empty:
        return np.zeros(len(facts), dtype=bool)
    col = facts["fact_id"].array
    data = getattr(col, "_pa_array", None)
    if data is None:
        data = pa.array(np.asarray(col, dtype=object), type=pa.large_string())
    pattern = "^(?:" + "|".join(re.escape(n) for n in names) + r"):[^:]*$"
    hit = pc.match_substring_regex(data, pattern)
    return np.asarray(hit.to_numpy(zero_copy_only=False) if hasattr(hit, "to_numpy") else hit, dtype=bool)

