"""A text column of the facts frame, read at a few positions without spelling the whole column.

One job: hand back the strings of a column at given positions, whatever the column's dtype: plain
``object`` arrays, pandas ``Categorical`` (codes + categories) or an extension array such as
``string[pyarrow]``. Why: ``Series.to_numpy()`` of an arrow-backed column builds a Python string per
row (ten million of them on 10 M facts, issue 17), when a finding needs only its own facts' text.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["TextColumn"]

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
