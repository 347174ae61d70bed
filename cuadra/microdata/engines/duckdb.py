"""DuckDB engine: the embedded default. Reads CSV/Parquet directly, in bounded memory.

One job: run cuadra.microdata.sql on DuckDB. The file is never loaded into pandas: one parallel
aggregate scan counts every rule; only a rule that failed costs a second scan, for its first
20 rows (numbered in file order: DuckDB preserves insertion order).
"""

from __future__ import annotations

from pathlib import Path

from cuadra.errors import InputError, InputErrors
from cuadra.microdata.layout import MEASURES, Layout, RowRule
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
from cuadra.microdata.sql import count_query, examples_query, typed_select

__all__ = ["scan", "connect", "source_sql"]

MEMORY_LIMIT = "2GB"
Q = '"'


def connect(memory_limit: str = MEMORY_LIMIT, threads: int | None = None):
    import duckdb

    config: dict[str, str | int] = {"memory_limit": memory_limit}
    if threads:
        config["threads"] = threads
    return duckdb.connect(config=config)


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def source_sql(path: Path, *, all_varchar: bool = True) -> str:
    if is_parquet(path):
        return f"read_parquet({_lit(path)})"
    kind = "all_varchar=true" if all_varchar else "auto_detect=true"
    return (f"read_csv({_lit(path)}, delim='{DELIMITER}', header=true, {kind}, encoding='{ENCODING}', "
            f"quote='\"')")


def scan(path: Path, layout: Layout, rules: tuple[RowRule, ...], *, progress: Progress | None = None,
         memory_limit: str = MEMORY_LIMIT) -> FileScan:
    import duckdb

    con = connect(memory_limit)
    try:
        src = source_sql(path)
        try:
            found = [r[0] for r in con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()]
        except duckdb.Error as exc:
            raise InputErrors([InputError(str(path), None, None, f"no se puede leer como CSV '|' latin-1 "
                                          f"o Parquet: {str(exc).splitlines()[0]}")]) from None
        check_header(path, found, layout)
        text = not is_parquet(path)
        con.sql(f"CREATE TEMP VIEW filas AS {typed_select(layout, src, q=Q, text_source=text)}")
        live = [r for r in rules if not r.indeterminate]
        if progress:
            progress(f"{path.name}: reglas", 0, 1)
        try:
            row = con.sql(count_query(live, "filas", MEASURES, q=Q)).fetchone()
        except duckdb.Error as exc:
            raise InputErrors([InputError(str(path), None, None, str(exc).splitlines()[0])]) from None
        assert row is not None
        n, counts, sums = int(row[0]), row[1:1 + len(live)], row[1 + len(live):]
        if progress:
            progress(f"{path.name}: reglas", 1, 1)
        failing = [(r, int(c or 0)) for r, c in zip(live, counts, strict=True) if c]
        examples: dict[str, tuple[Example, ...]] = {}
        if failing:
            con.sql(f"CREATE TEMP VIEW numeradas AS "
                    f"{typed_select(layout, src, q=Q, text_source=text, row_number='row_number() OVER ()')}")
            for i, (r, _) in enumerate(failing):
                if progress:
                    progress(f"{path.name}: ejemplos", i, len(failing))
                rel = con.sql(examples_query(r, "numeradas", q=Q))
                names = rel.columns
                examples[r.id] = tuple(
                    Example(int(t[0]), {k: (None if v is None else str(v)) for k, v in zip(names[1:], t[1:],
                                                                                           strict=True)})
                    for t in rel.fetchall())
            if progress:
                progress(f"{path.name}: ejemplos", len(failing), len(failing))
        by_id = dict(zip((r.id for r in live), counts, strict=True))
        outcomes = tuple(RuleOutcome(r, int(by_id.get(r.id) or 0), examples.get(r.id, ())) for r in rules)
        return FileScan(path=path, rows=n, outcomes=outcomes,
                        sums={m: int(s or 0) for m, s in zip(MEASURES, sums, strict=True)},
                        engine="duckdb")
    finally:
        con.close()
