"""DuckDB engine: the embedded default. Reads CSV/Parquet directly, in bounded memory.

One job: run cuadra.microdata.sql on DuckDB. The file is never loaded into pandas: one parallel
aggregate scan counts every rule; only a rule that failed costs a second scan, for its first
20 rows (numbered in file order: DuckDB preserves insertion order).

A CSV is first read with the layout's types (numbers as DOUBLE): DuckDB's reader parses a number
as ``TRY_CAST(text AS DOUBLE)`` does (tests/microdata/test_duckdb.py plants the cells where that
matters), a third cheaper than reading text and casting it. A cell it cannot parse stops that
read; the scan then starts again over the file as text, where the type rule counts and shows
every such cell. Same counts either way; a clean file pays one pass.
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
from cuadra.microdata.sql import FINITE_DUCKDB, count_query, examples_query, hoisted, typed_select

__all__ = ["scan", "connect", "source_sql", "native_types"]

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


def source_sql(path: Path, *, all_varchar: bool = True, types: dict[str, str] | None = None) -> str:
    """The file as a DuckDB table function: CSV as text (``all_varchar``), with DuckDB's own type
    detection, or with the given ``types`` per column; Parquet as it is."""
    if is_parquet(path):
        return f"read_parquet({_lit(path)})"
    if types:
        kind = "types={" + ", ".join(f"{_lit(Path(k))}: '{v}'" for k, v in types.items()) + "}"
    else:
        kind = "all_varchar=true" if all_varchar else "auto_detect=true"
    return (f"read_csv({_lit(path)}, delim='{DELIMITER}', header=true, {kind}, encoding='{ENCODING}', "
            f"quote='\"')")


def native_types(found: list[str], layout: Layout) -> dict[str, str]:
    """The fast read's column types: numbers as DOUBLE (integer columns too: the type rule asks
    for whole numbers, and DuckDB's BIGINT reader would round 1.5), text and extra columns VARCHAR."""
    kinds = {c.name: ("VARCHAR" if c.sql_type == "VARCHAR" else "DOUBLE") for c in layout.columns}
    return {name: kinds.get(name, "VARCHAR") for name in found}


def scan(path: Path, layout: Layout, rules: tuple[RowRule, ...], *, progress: Progress | None = None,
         memory_limit: str = MEMORY_LIMIT, native: bool = True) -> FileScan:
    """Count every rule's offending rows, fetch examples of those that failed, sum the measures.
    ``native=False`` skips the typed read (tests hold the two reads to the same results)."""
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
        live = [r for r in rules if not r.indeterminate]
        hoist = hoisted(live)
        if progress:
            progress(f"{path.name}: reglas", 0, 1)
        row, lectura = None, "tipos" if text else "parquet"
        if text and native:  # the fast read with the layout's types; a cell it cannot parse: read as text
            fast = typed_select(layout, source_sql(path, types=native_types(found, layout)), q=Q, text_source=False,
                                native=True, code_numbers=hoist, finite=FINITE_DUCKDB)
            try:
                con.sql(f"CREATE TEMP VIEW rapida AS {fast}")
                row = con.sql(count_query(live, "rapida", MEASURES, q=Q, hoist=hoist, duckdb=True)).fetchone()
            except duckdb.Error:
                row = None
        if row is None:
            lectura = "texto" if text else lectura
            view = typed_select(layout, src, q=Q, text_source=text, code_numbers=hoist, finite=FINITE_DUCKDB)
            con.sql(f"CREATE TEMP VIEW filas AS {view}")
            try:
                row = con.sql(count_query(live, "filas", MEASURES, q=Q, hoist=hoist, duckdb=True)).fetchone()
            except duckdb.Error as exc:
                raise InputErrors([InputError(str(path), None, None, str(exc).splitlines()[0])]) from None
        assert row is not None
        n, counts, sums = int(row[0]), row[1:1 + len(live)], row[1 + len(live):]
        if progress:
            progress(f"{path.name}: reglas", 1, 1)
        failing = [(r, int(c or 0)) for r, c in zip(live, counts, strict=True) if c]
        examples: dict[str, tuple[Example, ...]] = {}
        if failing:
            numbered = typed_select(layout, src, q=Q, text_source=text, row_number="row_number() OVER ()",
                                    code_numbers=hoist, finite=FINITE_DUCKDB)
            con.sql(f"CREATE TEMP VIEW numeradas AS {numbered}")
            for i, (r, _) in enumerate(failing):
                if progress:
                    progress(f"{path.name}: ejemplos", i, len(failing))
                rel = con.sql(examples_query(r, "numeradas", q=Q, hoist=hoist))
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
                        engine="duckdb", lectura=lectura)
    finally:
        con.close()
