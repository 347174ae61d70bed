"""GX suite of the row contract: the same declarations as UnexpectedRowsExpectations, run by GX on
SQLite (``--motor duckdb|pandas``) or on GX's Spark data source (``--motor spark``).

One job: lower each row rule's tree to SQL (cuadra.microdata.expr.to_sql, the text DuckDB and Spark
run) inside a GX ``UnexpectedRowsExpectation`` and validate the typed rows with it, writing GX Data
Docs. On Spark, GX validates the typed Spark DataFrame itself (``data_sources.add_spark``, a dataframe
asset, the frame passed as the batch parameter), so the suite runs where the data is. Otherwise a
sample of the typed rows read by DuckDB (bounded) goes into SQLite: DuckDB is not a GX dialect and
works only after patching GX's private list of persistent-connection dialects (TOOLING.md §3).
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cuadra.microdata.expr import to_sql
from cuadra.microdata.layout import Layout, RowRule, file_date, load_layout, row_rules
from cuadra.microdata.scan import is_parquet

__all__ = ["run_gx", "build_docs", "build_suite"]


def build_suite(rules: Sequence[RowRule], *, spark: bool = False):
    """One expectation per live rule; the SQL text in SQLite's spelling (no TRY_CAST) or Spark's
    (backquoted identifiers)."""
    import great_expectations as gx
    import great_expectations.expectations as gxe

    def where(r: RowRule) -> str:
        return to_sql(r.violation, "`") if spark else to_sql(r.violation, try_cast=False)

    return gx.ExpectationSuite(name="cuadra_microdatos", expectations=[
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"SELECT * FROM {{batch}} WHERE {where(r)}",
            description=f"{r.id}: {r.titulo}", meta={"rule_id": r.id, "severity": r.severity})
        for r in rules if not r.indeterminate])


def _sample_to_sqlite(path: Path, layout: Layout, db: Path, sample: int | None) -> int:
    from cuadra.microdata.engines.duckdb import connect, source_sql
    from cuadra.microdata.sql import typed_select

    con = connect()
    try:
        sql = typed_select(layout, source_sql(path), q='"', text_source=not is_parquet(path))
        df = con.sql(sql + (f" LIMIT {int(sample)}" if sample else "")).df()
    finally:
        con.close()
    with sqlite3.connect(db) as lite:
        df.to_sql("filas", lite, index=False)
    return len(df)


def run_gx(path: Path, *, sample: int | None = None, docs_dir: Path | None = None, motor: str = "duckdb",
           master: str = "local[2]") -> dict[str, int]:
    """Offending-row count per rule that GX observes on the first ``sample`` rows (all when None):
    on GX's Spark data source with ``motor="spark"``, else on a SQLite copy."""
    import great_expectations as gx

    from expectations.context import gx_context

    layout = load_layout()
    rules = row_rules(file_date(path), layout)
    spark = motor == "spark"
    with tempfile.TemporaryDirectory(prefix="cuadra-gx-micro-") as tmp:
        root = Path(tmp)
        ctx = gx_context(root, docs_dir, "microdatos")
        params: dict[str, object] | None = None
        if spark:
            from cuadra.microdata.engines.spark import typed_frame

            params = {"dataframe": typed_frame(path, layout, master, sample)}
            bd = (ctx.data_sources.add_spark("microdatos").add_dataframe_asset(path.stem[:60])
                  .add_batch_definition_whole_dataframe("archivo"))
        else:
            db = root / "muestra.sqlite"
            _sample_to_sqlite(path, layout, db, sample)
            ds = ctx.data_sources.add_sqlite("microdatos", connection_string=f"sqlite:///{db.resolve()}")
            bd = ds.add_table_asset(path.stem[:60], table_name="filas").add_batch_definition_whole_table("muestra")
        suite = ctx.suites.add(build_suite(rules, spark=spark))
        if len(suite.expectations) != sum(1 for r in rules if not r.indeterminate):
            raise RuntimeError("GX dropped expectations from the suite (TOOLING.md pitfall 1)")
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="microdatos", data=bd, suite=suite))
        actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["microdatos"])] if docs_dir else []
        res = ctx.checkpoints.add(gx.Checkpoint(name="microdatos", validation_definitions=[vd], actions=actions,
                                                result_format={"result_format": "SUMMARY"})
                               ).run(batch_parameters=params)
        out: dict[str, int] = {}
        for vr in res.run_results.values():
            for r in vr.results:
                if r.exception_info and any(
                        (isinstance(v, dict) and v.get("raised_exception")) or (k == "raised_exception" and v)
                        for k, v in r.exception_info.items()):
                    raise RuntimeError(f"GX: {r.expectation_config.meta}: {r.exception_info}")
                out[r.expectation_config.meta["rule_id"]] = int(r.result.get("observed_value") or 0)
        if docs_dir is not None:
            ctx.build_data_docs(site_names=["microdatos"])
            from expectations.offline import make_offline

            make_offline(Path(docs_dir) / "gx")
        return out


def build_docs(files: Sequence[Path], docs_dir: Path, *, sample: int, motor: str = "duckdb",
               master: str = "local[2]") -> None:
    for f in files:
        run_gx(f, sample=sample, docs_dir=docs_dir, motor=motor, master=master)
