"""The SQL every SQL engine runs: one typed view, one aggregate pass, one query per failing rule.

One job: text. DuckDB and Spark SQL execute the same statements (only the identifier quote differs),
so the two engines cannot drift apart: the differential test compares their results, not two
hand-written rule sets. The aggregate pass is a single scan that counts every rule's offending rows;
example rows (with their 1-based data row number) are fetched only for rules that failed.
"""

from __future__ import annotations

from collections.abc import Sequence

from cuadra.microdata.expr import NUM, Bool, CodeNumber, Col, Expr, Null, code_number_columns, to_sql
from cuadra.microdata.layout import RAW, Layout, RowRule

__all__ = ["typed_select", "count_query", "examples_query", "hoisted", "MAX_EXAMPLES", "ROW"]

MAX_EXAMPLES = 20
ROW = "__fila"
FINITE = "({x} - {x} = 0)"  # portable: false for NaN and ±inf (NaN - NaN and inf - inf are NaN)
FINITE_DUCKDB = "isfinite({x})"


def hoisted(rules: Sequence[RowRule]) -> frozenset[str]:
    """The columns whose code number some rule reads: the typed view computes each once per row."""
    return frozenset(c for r in rules for c in code_number_columns(r.violation))


def typed_select(layout: Layout, source: str, *, q: str, text_source: bool, row_number: str | None = None,
                 types: dict[str, str] | None = None, native: bool = False,
                 code_numbers: frozenset[str] = frozenset(), finite: str = FINITE) -> str:
    """``SELECT`` of the typed columns and, beside each, its raw value (``<col>__crudo``).

    ``text_source``: the source columns are text (CSV read as text): blanks are null and the typed
    value is a ``TRY_CAST`` (a value that does not parse is null, and the type rule sees it). For a
    typed source (Parquet) the raw value is the column itself. ``native``: a CSV the engine read with
    the layout's types (numbers as DOUBLE, which is what the cast gives): every non-blank cell parsed,
    so the raw value is the typed one, text blanks still null. ``types`` renames a portable type for
    an engine that spells it otherwise (Spark: VARCHAR -> STRING). ``code_numbers``: columns (see
    :func:`hoisted`) given a ``<col>__num`` column beside them. ``finite``: the engine's test that a
    number ``{x}`` is finite: NaN and infinities parse as numbers but are no count or amount, so they
    are typed as null and the type rule reports them, on every engine.
    """
    rename = types or {}
    parts = []
    for c in layout.columns:
        src = f"{q}{c.name}{q}"
        if native:
            raw = f"NULLIF({src}, '')" if c.sql_type == "VARCHAR" else src
            typed = raw if c.sql_type == "VARCHAR" else f"CASE WHEN {finite.format(x=raw)} THEN {raw} END"
            parts += [f"{raw} AS {q}{c.name}{RAW}{q}", f"{typed} AS {q}{c.name}{q}"]
            continue
        # No TRIM: it doubled the scan time (tools/bench_microdatos.py); a cast ignores surrounding
        # blanks on every engine, and a code with blanks is not the code.
        raw = f"NULLIF({src}, '')" if text_source else src
        parts.append(f"{raw} AS {q}{c.name}{RAW}{q}")
        if c.sql_type == "BIGINT":
            # Read as a number (one cast; engines disagree on casting '1.5' to an integer: DuckDB rounds,
            # Spark truncates); the type rule then asks for a whole number.
            typed = f"TRY_CAST({raw} AS DOUBLE)"
        else:
            sql_type = rename.get(c.sql_type, c.sql_type)
            typed = f"TRY_CAST({raw} AS {sql_type})" if (text_source or c.sql_type != "VARCHAR") else raw
        if c.sql_type != "VARCHAR":
            typed = f"CASE WHEN {finite.format(x=typed)} THEN {typed} END"
        parts.append(f"{typed} AS {q}{c.name}{q}")
    if row_number:
        parts.insert(0, f"{row_number} AS {q}{ROW}{q}")
    inner = f"SELECT {', '.join(parts)} FROM {source}"
    if not code_numbers:
        return inner
    derived = ", ".join(f"{to_sql(CodeNumber(Col(c)), q)} AS {q}{c}{NUM}{q}" for c in sorted(code_numbers))
    return f"SELECT *, {derived} FROM ({inner}) AS tipadas"


def count_sql(violation: Expr, q: str, hoist: frozenset[str] = frozenset(), duckdb: bool = False) -> str:
    """The aggregate counting a rule's offending rows. Two shapes count with the engines' native
    ``COUNT(column)`` (a tenth of a CASE per row): ``x IS NULL`` and ``x IS NOT NULL AND y IS NULL``
    where ``y`` is never non-null without ``x`` (a typed column beside its raw text). Same counts."""
    match violation:
        case Null(Col(a), True):
            return f"(COUNT(*) - COUNT({q}{a}{q}))"
        case Bool("AND", Null(Col(a), False), Null(Col(b), True)) if a == b + RAW:
            return f"(COUNT({q}{a}{q}) - COUNT({q}{b}{q}))"
    return f"SUM(CASE WHEN {to_sql(violation, q, hoisted=hoist, duckdb=duckdb)} THEN 1 ELSE 0 END)"


def count_query(rules: Sequence[RowRule], view: str, measures: Sequence[str], *, q: str,
                hoist: frozenset[str] = frozenset(), duckdb: bool = False) -> str:
    """One scan: the row count, each rule's offending-row count (``r0``, ``r1``, …) and the sums of
    the measures (masses in cents), what ``agregar`` reports and the bare-scan benchmark also computes.
    ``hoist``: the view's ``code_numbers`` (:func:`typed_select`); ``duckdb``: DuckDB's spelling of
    a text code list (:func:`cuadra.microdata.expr.to_sql`)."""
    cols = ["COUNT(*) AS n"]
    cols += [f"{count_sql(r.violation, q, hoist, duckdb)} AS r{i}" for i, r in enumerate(rules)]
    # Sums are exact integers on every engine: counts as they are, salary masses in cents.
    cols += [f"SUM(CAST(ROUND({q}{m}{q} * 100) AS BIGINT)) AS s_{m}" if m.startswith("masa_")
             else f"SUM({q}{m}{q}) AS s_{m}" for m in measures]
    return f"SELECT {', '.join(cols)} FROM {view}"


def examples_query(rule: RowRule, view: str, *, q: str, hoist: frozenset[str] = frozenset()) -> str:
    shown = ", ".join(f"{q}{c}{RAW}{q} AS {q}{c}{q}" for c in rule.columns)
    return (f"SELECT {q}{ROW}{q}, {shown} FROM {view} WHERE {to_sql(rule.violation, q, hoisted=hoist)} "
            f"ORDER BY {q}{ROW}{q} LIMIT {MAX_EXAMPLES}")
