"""A text column of the facts frame, read at a few positions without spelling the whole column.

One job: hand back the strings of a column at given positions, whatever the column's dtype: plain
``object`` arrays, pandas ``Categorical`` (codes + categories) or an extension array such as
``string[pyarrow]``. Why: ``Series.to_numpy()`` of an arrow-backed column builds a Python string per
row (ten million of them on 10 M facts, issue 17), when a finding needs only its own facts' text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TextColumn", "non_empty", "repeated", "string_hashes"]

Positions = npt.NDArray[np.integer] | list[int]


class TextColumn:
    """``take(positions)``: the column's values there, as an object array of ``str`` (or its NA value)."""

    def __init__(self, series: pd.Series) -> None:
        self.take: Callable[[Positions], npt.NDArray[np.object_]]
        #: ``one(i)``: the value at position ``i`` alone (a finding's facts, one at a time).
        self.one: Callable[[int], object]
        dtype = series.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy()
            # Code -1 (a missing value) reads the extra last entry, as the column would give it.
            cats = np.empty(len(dtype.categories) + 1, dtype=object)
            cats[:-1] = dtype.categories.to_numpy(dtype=object)
            cats[-1] = np.nan
            self.take = lambda pos: cats[codes[np.asarray(pos, dtype=np.intp)]]
            self.one = lambda i: cats[codes[i]]
        elif isinstance(dtype, pd.api.extensions.ExtensionDtype):
            array = series.array
            self.take = lambda pos: np.asarray(array.take(np.asarray(pos, dtype=np.intp)).to_numpy(dtype=object),
                                               dtype=object)
            self.one = array.__getitem__
        else:
            values = series.to_numpy()  # a view of an object (or numeric) column: nothing spelt
            self.take = lambda pos: values[np.asarray(pos, dtype=np.intp)]
            self.one = values.__getitem__

    def strings(self, positions: Positions) -> list[str]:
        """The values at ``positions`` as ``str`` (as ``str(value)`` would spell each)."""
        return [v if type(v) is str else str(v) for v in self.take(positions).tolist()]


def non_empty(series: pd.Series) -> npt.NDArray[np.bool_]:
    """Where a text column holds a non-empty string (a missing value is empty), measured once per
    distinct text of a categorical, on the buffers of an Arrow column: no str per row."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        ok = np.append(np.asarray(dtype.categories != "", dtype=bool), False)  # code -1 (missing): empty
        return ok[series.cat.codes.to_numpy()]
    data = getattr(series.array, "_pa_array", None)
    if data is None:
        return np.asarray(series.map(lambda v: isinstance(v, str) and v != "", na_action=None), dtype=bool)
    return np.asarray(pc.greater(pc.binary_length(data), 0).fill_null(False), dtype=bool)  # missing: empty


#: Rows hashed at a time: the hash's temporaries cost 8 bytes per character of one slice, never of the column.
_SLICE = 1 << 13
#: Polynomial base of the string hash (the 64-bit FNV prime); arithmetic wraps modulo 2**64.
_BASE = np.uint64(0x100000001B3)
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)


def _powers(n: int) -> npt.NDArray[np.uint64]:
    """``_BASE ** (n-1-j)`` for ``j < n``, wrapping: the weight of each character of an ``n``-character string."""
    out = np.ones(max(n, 1), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n - 2, -1, -1):
            out[j] = out[j + 1] * _BASE
    return out


def string_hashes(array: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.uint64]:
    """A 64-bit hash of every string of an Arrow string column, computed on its buffers in slices."""
    out = np.empty(len(array), dtype=np.uint64)
    at = 0
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        buffers = chunk.buffers()
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(buffers[1], dtype=width) if buffers[1] is not None else np.zeros(1, dtype=width)
        data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
        for s in range(0, len(chunk), _SLICE):
            n = min(_SLICE, len(chunk) - s)
            off = offsets[chunk.offset + s: chunk.offset + s + n + 1].astype(np.int64)
            lens = np.diff(off)
            h = lens.astype(np.uint64) * _LENGTH_MIX
            full = lens > 0
            if full.any():
                chars = data[off[0]:off[-1]].astype(np.uint64)
                place = np.arange(off[0], off[-1], dtype=np.int64) - np.repeat(off[:-1], lens)
                weights = _powers(int(lens.max()))
                with np.errstate(over="ignore"):
                    # The weight of a character counts from the string's end: its last one weighs 1.
                    chars *= weights[place + (weights.size - np.repeat(lens, lens))]
                    h[full] += np.add.reduceat(chars, (off[:-1] - off[0])[full])
            out[at:at + n] = h
            at += n
    return out


def repeated(series: pd.Series) -> npt.NDArray[np.bool_]:
    """Where a value occurs more than once (``series.duplicated(keep=False)``), for any text column.

    Why not pandas' or Arrow's own: both hash into a table that copies every distinct string (about
    190 bytes a fact at the peak on ``fact_id``, ~1.9 GB on 10 M facts: the largest transient of a
    run, issue 17). An Arrow string column is hashed here from its buffers instead (8 bytes a row,
    sorted), and only rows whose hash repeats are compared as strings, so a collision never counts."""
    data = getattr(series.array, "_pa_array", None)
    if data is None or not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type)
                               for c in (data.chunks if isinstance(data, pa.ChunkedArray) else [data])):
        return series.duplicated(keep=False).to_numpy()
    hashes = string_hashes(data)
    ordered = np.sort(hashes)
    twice = ordered[1:][ordered[1:] == ordered[:-1]]
    out = np.zeros(len(hashes), dtype=bool)
    if len(twice):
        candidates = np.flatnonzero(np.isin(hashes, twice))
        values = data.take(pa.array(candidates)).to_pylist()
        counts = Counter(values)
        out[candidates] = [counts[v] > 1 for v in values]
    return out
