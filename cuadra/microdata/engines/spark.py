"""Spark engine: the same SQL as DuckDB, executed by Spark SQL, for data beyond one machine.

One job: run cuadra.microdata.sql on a SparkSession (``local[2]`` in tests, any master URL in
production). One session per process (start-up costs seconds); the rules, the counts and the
example rows are those of the DuckDB engine, so the differential test compares like with like.
Row numbers follow file order: ``monotonically_increasing_id`` grows with partition and position.
"""

from __future__ import annotations

from pathlib import Path

from cuadra.errors import InputError, InputErrors
from cuadra.microdata.expr import Cmp, Col, Lit, NotIn
from cuadra.microdata.layout import MEASURES, Layout, RowRule
from cuadra.microdata.scan import DELIMITER, Example, FileScan, Progress, RuleOutcome, check_header, is_parquet
from cuadra.microdata.sql import count_query, examples_query, hoisted, typed_select

__all__ = ["scan", "session", "pandera_schema", "read_source", "typed_frame", "Q"]

Q = "`"
TYPES = {"VARCHAR": "STRING"}
_SESSIONS: dict[str, object] = {}


def session(master: str = "local[2]"):
    """One SparkSession per master for the whole process (tests share it)."""
    if master not in _SESSIONS:
        from pyspark.sql import SparkSession

        _SESSIONS[master] = (SparkSession.builder.master(master).appName("cuadra-microdatos")
                             .config("spark.ui.enabled", "false")
                             .config("spark.sql.shuffle.partitions", "4")
                             .config("spark.driver.memory", "2g")
                             .getOrCreate())
        _SESSIONS[master].sparkContext.setLogLevel("ERROR")  # type: ignore[attr-defined]
    return _SESSIONS[master]


def _column_check(rule: RowRule) -> tuple[str, object] | None:
    """The rule as a Pandera column check when its tree has that shape (a code list, a lower bound)."""
    import pandera.pyspark as pa

    match rule.violation:
        case NotIn(Col(name), values):
            return name, pa.Check.isin(list(values))
        case Cmp("<", Col(name), Lit(value)):
            return name, pa.Check.ge(value)
    return None


def pandera_schema(layout: Layout, rules: tuple[RowRule, ...]):
    """The same declarations through Pandera's pyspark backend: column types, code lists and
    non-negative measures; returns the schema and ``{column: rule id}`` of the checks it carries.

    Pandera's pyspark backend reports a verdict per column check, not rows (and not the check's
    name), so it cross-checks the SQL counts (a disagreement is an error finding) rather than
    replacing them; each column carries at most one such rule, so the column names the rule."""
    import pandera.pyspark as pa
    import pyspark.sql.types as T

    # Integer columns are read as numbers (DOUBLE) in the typed view; the type rule asks for whole ones.
    spark_types = {"BIGINT": T.DoubleType(), "DOUBLE": T.DoubleType(), "VARCHAR": T.StringType()}
    checks: dict[str, list[object]] = {c.name: [] for c in layout.columns}
    by_column: dict[str, str] = {}
    for r in rules:
        if not r.indeterminate and (found := _column_check(r)):
            if found[0] in by_column:
                raise AssertionError(f"two Pandera column checks on {found[0]}: {by_column[found[0]]}, {r.id}")
            checks[found[0]].append(found[1])
            by_column[found[0]] = r.id
    schema = pa.DataFrameSchema({c.name: pa.Column(spark_types[c.sql_type], checks=checks[c.name], nullable=True)
                                 for c in layout.columns})
    return schema, by_column


def _pandera_failed(typed: object, layout: Layout, rules: tuple[RowRule, ...]) -> tuple[set[str], set[str]]:
    schema, by_column = pandera_schema(layout, rules)
    errors = dict(schema.validate(typed).pandera.errors)  # type: ignore[attr-defined]
    data = errors.get("DATA", {}).get("DATAFRAME_CHECK", [])
    failed = {by_column[str(e["column"])] for e in data if str(e.get("column")) in by_column}
    if errors.get("SCHEMA"):
        raise AssertionError(f"typed Spark view does not match the layout: {errors['SCHEMA']}")
    return failed, set(by_column.values())


def read_source(path: Path, layout: Layout, master: str = "local[2]"):
    """The file as a Spark DataFrame of its raw columns (CSV as text), registered as ``cuadra_src``;
    bad input (unreadable, a dictionary column missing) as ``file:line:column`` errors."""
    spark = session(master)
    try:
        if is_parquet(path):
            src = spark.read.parquet(str(path))
        else:
            src = (spark.read.option("header", True).option("sep", DELIMITER).option("encoding", "ISO-8859-1")
                   .option("inferSchema", False).csv(str(path)))
    except Exception as exc:  # pyspark raises AnalysisException and friends
        raise InputErrors([InputError(str(path), None, None, f"Spark no puede leer el archivo: {exc}")]) from None
    check_header(path, list(src.columns), layout)
    src.createOrReplaceTempView("cuadra_src")
    return src


def typed_frame(path: Path, layout: Layout, master: str = "local[2]", sample: int | None = None):
    """The typed rows (cuadra.microdata.sql.typed_select) as a Spark DataFrame: what GX's Spark data
    source validates (cuadra.microdata.gx); ``sample``: the first rows only."""
    read_source(path, layout, master)
    frame = session(master).sql(typed_select(layout, "cuadra_src", q=Q, text_source=not is_parquet(path), types=TYPES))
    return frame.limit(int(sample)) if sample else frame


def scan(path: Path, layout: Layout, rules: tuple[RowRule, ...], *, progress: Progress | None = None,
         master: str = "local[2]") -> FileScan:
    spark = session(master)
    read_source(path, layout, master)
    text = not is_parquet(path)
    live = [r for r in rules if not r.indeterminate]
    hoist = hoisted(live)
    spark.sql(typed_select(layout, "cuadra_src", q=Q, text_source=text, types=TYPES, code_numbers=hoist)) \
        .createOrReplaceTempView("filas")
    if progress:
        progress(f"{path.name}: reglas (spark)", 0, 1)
    row = spark.sql(count_query(live, "filas", MEASURES, q=Q, hoist=hoist)).collect()[0]
    n, counts, sums = int(row[0]), list(row[1:1 + len(live)]), list(row[1 + len(live):])
    if progress:
        progress(f"{path.name}: reglas (spark)", 1, 1)
    failing = [r for r, c in zip(live, counts, strict=True) if c]
    examples: dict[str, tuple[Example, ...]] = {}
    if failing:
        spark.sql("SELECT *, monotonically_increasing_id() AS `__orden` FROM cuadra_src") \
            .createOrReplaceTempView("cuadra_src_orden")
        numbered = typed_select(layout, "cuadra_src_orden", q=Q, text_source=text, types=TYPES,
                                row_number="row_number() OVER (ORDER BY `__orden`)", code_numbers=hoist)
        spark.sql(numbered).createOrReplaceTempView("numeradas")
        for i, r in enumerate(failing):
            if progress:
                progress(f"{path.name}: ejemplos (spark)", i, len(failing))
            res = spark.sql(examples_query(r, "numeradas", q=Q, hoist=hoist)).collect()
            examples[r.id] = tuple(
                Example(int(t[0]), {k: (None if t[k] is None else str(t[k])) for k in r.columns}) for t in res)
    by_id = dict(zip((r.id for r in live), counts, strict=True))
    outcomes = tuple(RuleOutcome(r, int(by_id.get(r.id) or 0), examples.get(r.id, ())) for r in rules)
    failed, covered = _pandera_failed(spark.table("filas"), layout, rules)
    disagree = tuple(sorted(r for r in covered if (r in failed) != bool(by_id.get(r))))
    return FileScan(path=path, rows=n, outcomes=outcomes,
                    sums={m: int(s or 0) for m, s in zip(MEASURES, sums, strict=True)}, engine="spark",
                    disagreements=disagree)
