"""STYLE.md move 1: declaration never imports execution (checked in a fresh interpreter)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["cuadra.rules.syntax", "cuadra.rules.catalogue", "cuadra.rules.to_sql",
                                    "cuadra.intervals", "cuadra.contract.numbers"])
def test_declaration_modules_import_no_dataframe_library(module: str) -> None:
    code = (f"import sys, {module}; bad = [m for m in ('pandas', 'pandera', 'great_expectations') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def test_issue_17_a_warm_pandera_run_imports_only_what_it_uses(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Start-up: with the cache warm, a small submission on the Pandera backend imports no GX, no rich
    (no bar with --quiet), no YAML parser (registry, catalogue, templates and waivers come from the
    cache), no babel (plain figures), no sqlite3 and no TOML reader (no workspace)."""
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    lines = (root / "fixtures" / "reports" / "000_18269b3800bc8850.csv").read_text(encoding="utf-8").splitlines()
    small = tmp_path / "submission.csv"
    small.write_text("\n".join(lines[:12]) + "\n", encoding="utf-8")
    code = ("import sys; from cuadra.cli import main; main(['validate', sys.argv[1], '--backend', 'pandera', "
            "'--quiet']); bad = [m for m in ('great_expectations', 'rich', 'yaml', 'babel', 'sqlite3', 'tomllib') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    env = {**os.environ, "CUADRA_CACHE": str(tmp_path / "cache")}
    for _ in range(2):  # the first run fills the cache
        r = subprocess.run([sys.executable, "-c", code, str(small)], capture_output=True, text=True, check=False,
                           cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
