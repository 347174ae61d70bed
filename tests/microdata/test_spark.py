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
