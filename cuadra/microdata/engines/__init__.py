"""Engines that lower the microdata row contract: DuckDB (embedded default), Spark, pandas/Pandera.

Each exposes ``scan(path, layout, rules, *, progress) -> FileScan``; none declares a rule of its own.
"""

from __future__ import annotations

__all__ = ["ENGINES"]

ENGINES = ("duckdb", "spark", "pandas")
