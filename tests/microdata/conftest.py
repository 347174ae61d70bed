"""Microdata tests (issue 18): shared synthetic files, and Spark tests only when asked for.

Spark tests carry the ``spark`` marker and run in their own pass (``nox -s microdatos_spark``, i.e.
``pytest -m spark``): a JVM start costs seconds, so the fast suite skips them and one SparkSession
serves the whole pass.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from cuadra.microdata.synthetic import write_synthetic


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "spark" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="Spark: run with -m spark (nox -s microdatos_spark)")
    for item in items:
        if "spark" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def faulty_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """A synthetic December 2020 with one planted fault of every kind (11)."""
    d = tmp_path_factory.mktemp("faulty")
    side = write_synthetic(d / "asg-2020-12-31.csv", filas=4000, fecha=date(2020, 12, 31), fallas=11, semilla=7)
    return d / str(side["archivo"]), side


@pytest.fixture(scope="session")
def clean_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    d = tmp_path_factory.mktemp("clean")
    side = write_synthetic(d / "asg-2020-12-31.csv", filas=3000, fecha=date(2020, 12, 31), semilla=11)
    return d / str(side["archivo"]), side



@pytest.fixture(scope="session")
def plant_cells(clean_file: tuple[Path, dict], tmp_path_factory: pytest.TempPathFactory):
    """A function: the first ``rows`` rows of the clean file with (row, column, raw text) cells replaced."""
    def plant(edits: list[tuple[int, int, str]], rows: int) -> Path:
        raw = pd.read_csv(clean_file[0], sep="|", encoding="latin-1", dtype=str, keep_default_na=False).head(rows)
        for row, col, value in edits:
            raw.iat[row, col] = value
        path = tmp_path_factory.mktemp("celdas") / "asg-2020-12-31.csv"
        raw.to_csv(path, sep="|", index=False, encoding="latin-1")
        return path

    return plant
