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
