"""Issue 18: the pandas/Pandera engine and the DuckDB engine lower one declaration and agree on every
row, including hostile cells (blanks, decimals in integer columns, stray codes), which Hypothesis
plants into a clean synthetic file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuadra.microdata.engines import duckdb, pandas
from cuadra.microdata.layout import file_date, load_layout, row_rules

TRICKY = ["", "x", "1.5", "-3", "0", "2.0", " 7 ", "W99", "33", "3", "E99", "0.01", "-0.01", "99999999", "NaN", "inf",
          "1e3", "+3"]


def _view(scan):
    return scan.rows, scan.sums, [(o.rule.id, o.filas, o.ejemplos) for o in scan.outcomes]


def test_pandera_equals_duckdb_on_planted_faults(faulty_file: tuple[Path, dict]) -> None:
    path = faulty_file[0]
    rules = row_rules(file_date(path))
    assert _view(pandas.scan(path, load_layout(), rules)) == _view(duckdb.scan(path, load_layout(), rules))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 28), st.sampled_from(TRICKY)),
                      min_size=1, max_size=12))
def test_pandera_equals_duckdb_on_hostile_cells(plant_cells, edits: list[tuple[int, int, str]]) -> None:
    path = plant_cells(edits, rows=40)
    rules = row_rules(file_date(path))
    assert _view(pandas.scan(path, load_layout(), rules)) == _view(duckdb.scan(path, load_layout(), rules))
