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
