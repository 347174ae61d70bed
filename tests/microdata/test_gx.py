"""Issue 18: the GX suite built from the same declarations counts what DuckDB counts (SQLite sample
= the whole small file), and --docs writes offline Data Docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuadra.microdata.engines import duckdb
from cuadra.microdata.layout import file_date, load_layout, row_rules


@pytest.mark.slow
def test_gx_equals_duckdb(faulty_file: tuple[Path, dict], tmp_path: Path) -> None:
    from cuadra.microdata.gx import run_gx
    from expectations.offline import remote_assets

    path = faulty_file[0]
    scan = duckdb.scan(path, load_layout(), row_rules(file_date(path)))
    counts = run_gx(path, docs_dir=tmp_path / "site")
    assert counts == {o.rule.id: o.filas for o in scan.outcomes if not o.rule.indeterminate}
    pages = list((tmp_path / "site" / "gx").rglob("*.html"))
    assert pages and not any(remote_assets(p.read_text(encoding="utf-8")) for p in pages)
