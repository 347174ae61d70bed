"""Issue 18: DuckDB = Spark on the same files (counts, example rows, sums). Run with -m spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuadra.microdata.engines import duckdb
from cuadra.microdata.layout import file_date, load_layout, row_rules

pytestmark = pytest.mark.spark


def _view(scan):
    return scan.rows, scan.sums, [(o.rule.id, o.filas, o.ejemplos) for o in scan.outcomes]


@pytest.mark.parametrize("name", ["faulty_file", "clean_file"])
def test_duckdb_equals_spark(name: str, request: pytest.FixtureRequest) -> None:
    pytest.importorskip("pyspark")
    from cuadra.microdata.engines import spark

    path: Path = request.getfixturevalue(name)[0]
    rules = row_rules(file_date(path))
    assert _view(spark.scan(path, load_layout(), rules)) == _view(duckdb.scan(path, load_layout(), rules))


def test_pandera_pyspark_agrees_with_the_counts(faulty_file: tuple[Path, dict]) -> None:
    """The same declarations through Pandera's pyspark backend (code lists, non-negative measures)
    give the verdicts the SQL counts give: no disagreement, and the covered rules include the planted ones."""
    pytest.importorskip("pyspark")
    from cuadra.microdata.engines import spark

    path = faulty_file[0]
    rules = row_rules(file_date(path))
    scan = spark.scan(path, load_layout(), rules)
    assert scan.disagreements == ()
    covered = set(spark.pandera_schema(load_layout(), rules)[1].values())
    planted = {"microdatos.lista.sexo", "microdatos.lista.cve_entidad", "microdatos.no_negativo.no_trabajadores"}
    assert planted <= covered


def test_gx_spark_data_source_equals_pandera_and_duckdb(faulty_file: tuple[Path, dict], tmp_path: Path) -> None:
    """GX's Spark data source, running the suite built from the same declarations on the typed Spark
    DataFrame, counts what Pandera (pandas engine) and DuckDB count, planted faults included, and
    writes offline Data Docs."""
    pytest.importorskip("pyspark")
    from cuadra.microdata.engines import pandas
    from cuadra.microdata.gx import run_gx
    from expectations.offline import remote_assets

    path, side = faulty_file
    rules = row_rules(file_date(path))
    by_duckdb = {o.rule.id: o.filas for o in duckdb.scan(path, load_layout(), rules).outcomes
                 if not o.rule.indeterminate}
    by_pandera = {o.rule.id: o.filas for o in pandas.scan(path, load_layout(), rules).outcomes
                  if not o.rule.indeterminate}
    by_gx = run_gx(path, motor="spark", docs_dir=tmp_path / "site")
    assert by_gx == by_duckdb == by_pandera
    assert {f["regla"] for f in side["fallas"]} <= {k for k, v in by_gx.items() if v}
    pages = list((tmp_path / "site" / "gx").rglob("*.html"))
    assert pages and not any(remote_assets(p.read_text(encoding="utf-8")) for p in pages)
