"""pandas engine: the row contract as one Pandera schema, for files that fit in memory.

One job: build a ``pandera.pandas.DataFrameSchema`` from the declarations (one dataframe check per
row rule, the rule's tree lowered by :func:`cuadra.microdata.expr.to_pandas`) and read its failure
cases back as counts and example rows. Same typing as the SQL engines (blank is null; numbers read
as float64, the type rule asks integer columns for whole numbers), so the three engines agree.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cuadra.errors import InputError, InputErrors
from cuadra.microdata.expr import to_pandas
from cuadra.microdata.layout import MEASURES, RAW, Layout, RowRule
from cuadra.microdata.scan import (
    DELIMITER,
    ENCODING,
    Example,
    FileScan,
    Progress,
    RuleOutcome,
    check_header,
    is_parquet,
)
from cuadra.microdata.sql import MAX_EXAMPLES

__all__ = ["scan", "build_schema", "typed_frame"]


def _read(path: Path) -> pd.DataFrame:
    try:
        if is_parquet(path):
            frame = pd.read_parquet(path).astype(object)
            return frame.map(lambda v: None if v is None or v != v else str(v))
        return pd.read_csv(path, sep=DELIMITER, encoding=ENCODING, dtype=str, keep_default_na=False)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise InputErrors([InputError(str(path), None, None, f"no se puede leer: {exc}")]) from None


def typed_frame(raw: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    out: dict[str, pd.Series] = {}
    for c in layout.columns:
        text = raw[c.name]
        text = text.where(text.notna() & (text != ""), None)
        out[c.name + RAW] = text
        if c.sql_type == "VARCHAR":
            out[c.name] = text
            continue
        num = pd.to_numeric(text, errors="coerce").astype("float64")
        out[c.name] = num.where(np.isfinite(num))  # NaN, inf: no count or amount (cuadra.microdata.sql)
    return pd.DataFrame(out, index=raw.index)


def build_schema(rules: tuple[RowRule, ...]):
    """One DataFrameSchema: a dataframe check per row rule, named by the rule id."""
    import pandera.pandas as pa

    checks = [pa.Check(lambda df, e=r.violation: pd.Series(~to_pandas(e, df), index=df.index), name=r.id)
              for r in rules if not r.indeterminate]
    return pa.DataFrameSchema(checks=checks)


def scan(path: Path, layout: Layout, rules: tuple[RowRule, ...], *, progress: Progress | None = None) -> FileScan:
    import pandera.pandas as pa

    raw = _read(path)
    check_header(path, list(raw.columns), layout)
    df = typed_frame(raw, layout)
    if progress:
        progress(f"{path.name}: reglas (pandera)", 0, 1)
    bad: dict[str, list[int]] = {}
    try:
        build_schema(rules).validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        for check, idx in fc.groupby("check")["index"]:
            bad[str(check)] = sorted({int(i) for i in idx.dropna()})
    if progress:
        progress(f"{path.name}: reglas (pandera)", 1, 1)
    outcomes = []
    for r in rules:
        rows = bad.get(r.id, [])
        ex = tuple(Example(i + 1, {c: df.at[i, c + RAW] for c in r.columns}) for i in rows[:MAX_EXAMPLES])
        outcomes.append(RuleOutcome(r, len(rows), ex))
    sums = {m: int(np.round(df[m] * 100).sum()) if m.startswith("masa_") else int(df[m].sum()) for m in MEASURES}
    return FileScan(path=path, rows=len(df), outcomes=tuple(outcomes), sums=sums, engine="pandas")
