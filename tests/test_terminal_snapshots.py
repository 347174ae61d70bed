"""Issue 19: the terminal a steward reads, as snapshots at 100 and 160 columns.

``validate`` on report 000 alone (its failures, its indeterminate instances) and ``gate`` on report
000 with one row deleted and one figure typed ×1000, each rendered as on a terminal (rich, no
colour) and as in a CI log (plain lines). The catalogue is a fixed copy of seven rules
(``tests/snapshots/rules.yaml``), with no waivers and no reference table, and times, versions and
paths are fixed, so the text changes only when the terminal does. The snapshots are committed
under ``tests/snapshots/``; after a deliberate change to the terminal, regenerate them and review
the diff::

    CUADRA_UPDATE_SNAPSHOTS=1 pytest tests/test_terminal_snapshots.py
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from cuadra.engine import Project, project_paths, validate
from cuadra.findings import Run
from cuadra.gate import GateResult, run_gate
from cuadra.gate.terminal import print_gate
from cuadra.report.terminal import print_summary

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
REPORT_000 = "000_18269b3800bc8850.csv"
PROJECT = Project(rules=(SNAPSHOTS / "rules.yaml",), registry=project_paths().registry, waivers=None)
WRITTEN = [("JSON", "out/findings.json"), ("JUnit", "out/junit.xml"), ("Data Docs", "out/site/index.html")]


def _console(width: int, terminal: bool) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, width=width, force_terminal=terminal, color_system=None, legacy_windows=False,
                   emoji=False), buf


def _check(name: str, text: str) -> None:
    text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"  # rich pads lines to the width
    path = SNAPSHOTS / name
    if os.environ.get("CUADRA_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no snapshot {path}: run with CUADRA_UPDATE_SNAPSHOTS=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"terminal output differs from {path} (see module docstring)"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("base")
    shutil.copy(ROOT / "fixtures" / "reports" / REPORT_000, d / REPORT_000)
    return d


@pytest.fixture(scope="module")
def run_000(base: Path) -> Run:
    run, *_ = validate(base, backend="pandera", project=PROJECT)
    return replace(run, dataset="000_18269b3800bc8850.csv", version="0.1.0", seconds=1.0)


@pytest.fixture(scope="module")
def gate_000(base: Path, tmp_path_factory: pytest.TempPathFactory) -> GateResult:
    head = tmp_path_factory.mktemp("head")
    lines = (base / REPORT_000).read_text(encoding="utf-8").splitlines(keepends=True)
    out = []
    for line in lines:
        if line.startswith("pensiones.ley73.monto.crecimiento_real,2020,"):
            continue  # deleted: checks are lost
        if line.startswith("pensiones.ley73.monto,2020,"):
            cells = line.split(",")
            cells[2] = format(Decimal(cells[2]).scaleb(3), "f")  # the ×1000 slip: new findings
            line = ",".join(cells)
        out.append(line)
    (head / REPORT_000).write_text("".join(out), encoding="utf-8")
    g = run_gate(base, head, backend="pandera", project=PROJECT)
    g.seconds, g.base.label, g.head.label = 1.0, "base/", "head/"
    return g


@pytest.mark.parametrize("width", [100, 160])
def test_validate_terminal(run_000: Run, width: int) -> None:
    con, buf = _console(width, terminal=True)
    print_summary(run_000, con, written=WRITTEN)
    text = buf.getvalue()
    assert all(len(line) <= width for line in text.splitlines())
    assert "e+0" not in text and "Indeterminadas" in text and "out/site/index.html" in text
    assert text.index("Hallazgos") < text.index("Indeterminadas")
    _check(f"validate_000_{width}.txt", text)


def test_validate_plain_log(run_000: Run) -> None:
    con, buf = _console(100, terminal=False)
    print_summary(run_000, con, written=WRITTEN)
    text = buf.getvalue()
    assert "─" not in text and "│" not in text  # no box drawing in a CI log
    _check("validate_000_plain_100.txt", text)


@pytest.mark.parametrize("width", [100, 160])
def test_gate_terminal(gate_000: GateResult, width: int) -> None:
    con, buf = _console(width, terminal=True)
    print_gate(gate_000, con, written=[("Markdown", "out/gate.md"), ("JSON del gate", "out/gate.json")])
    text = buf.getvalue()
    assert "Comprobaciones perdidas" in text and "Hallazgos nuevos" in text and "out/gate.md" in text
    _check(f"gate_000_{width}.txt", text)


def test_duplicate_prints_each_statement_interval() -> None:
    """A duplicate shows each statement's interval, not the two nearest ends; figures, never %g."""
    from cuadra.findings import FactRef, Finding

    def ref(value: float, scale: int, decimals: int, lo: float, hi: float, source: str, published: str) -> FactRef:
        return FactRef(fact_id=f"{source}.csv:2", concept="x.total", period="2020", value=value, scale=scale,
                       decimals=decimals, rounding="nearest", source=source, locator="7", quote="q",
                       published=published, lo=lo, hi=hi, unit="personas")

    dup = Finding(rule="duplicado", kind="duplicado", key="x.total|2020", period="2020", status="fail",
                  severity="error", titulo="Una cifra declarada dos veces coincide", expr="", fuentes=(),
                  lhs=(70_050_000.0, 70_050_000.0), rhs=(69_950_000.0, 69_950_000.0), imbalance=100_000.0,
                  imbalance_rel=0.0014, reason="",
                  facts=(ref(69.9, 6, 1, 69_850_000.0, 69_950_000.0, "a.txt", "69.9 millones"),
                         ref(70_050_000.0, 0, 0, 70_050_000.0, 70_050_000.0, "b.txt", "")))
    run = Run([dup], "d", "0.1.0", "", 1.0, "", "", ("pandera",), 1, 2)
    con, buf = _console(100, terminal=False)
    print_summary(run, con)
    text = buf.getvalue()
    assert "69.9 millones ∈ [69,850,000, 69,950,000] — a.txt:7" in text
    assert "70,050,000 ∈ {70,050,000} — b.txt:7" in text
    assert "e+07" not in text and "izquierda" not in text  # not the two nearest ends
