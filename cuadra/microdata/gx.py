"""GX suite of the row contract: the same declarations as UnexpectedRowsExpectations over SQLite.

One job: lower each row rule's tree to SQL (cuadra.microdata.expr.to_sql, the text DuckDB and Spark
run) inside a GX ``UnexpectedRowsExpectation`` and validate a sample of the typed rows in SQLite,
writing GX Data Docs. Why SQLite and not GX over DuckDB: DuckDB is not a GX dialect and works only
after patching GX's private list of persistent-connection dialects (TOOLING.md §3); the sample is
read by DuckDB (bounded) and handed to SQLite. GX's Spark data source is not wired (docs/microdatos.md).
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


def build_suite(rules: Sequence[RowRule]):
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name="cuadra_microdatos", expectations=[
        gxe.UnexpectedRowsExpectation(
            unexpected_rows_query=f"SELECT * FROM {{batch}} WHERE {to_sql(r.violation, try_cast=False)}",
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


def run_gx(path: Path, *, sample: int | None = None, docs_dir: Path | None = None) -> dict[str, int]:
    """Offending-row count per rule that GX observes on the first ``sample`` rows (all when None)."""
    import great_expectations as gx

    from expectations.context import gx_context

    layout = load_layout()
    rules = row_rules(file_date(path), layout)
    with tempfile.TemporaryDirectory(prefix="cuadra-gx-micro-") as tmp:
        root = Path(tmp)
        db = root / "muestra.sqlite"
        _sample_to_sqlite(path, layout, db, sample)
        ctx = gx_context(root, docs_dir, "microdatos")
        ds = ctx.data_sources.add_sqlite("microdatos", connection_string=f"sqlite:///{db.resolve()}")
        bd = ds.add_table_asset(path.stem[:60], table_name="filas").add_batch_definition_whole_table("muestra")
        suite = ctx.suites.add(build_suite(rules))
        if len(suite.expectations) != sum(1 for r in rules if not r.indeterminate):
            raise RuntimeError("GX dropped expectations from the suite (TOOLING.md pitfall 1)")
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="microdatos", data=bd, suite=suite))
        actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["microdatos"])] if docs_dir else []
        res = ctx.checkpoints.add(gx.Checkpoint(name="microdatos", validation_definitions=[vd], actions=actions,
                                                result_format={"result_format": "SUMMARY"})).run()
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


def build_docs(files: Sequence[Path], docs_dir: Path, *, sample: int) -> None:
    for f in files:
        run_gx(f, sample=sample, docs_dir=docs_dir)
