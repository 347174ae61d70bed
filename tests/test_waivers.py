"""cuadra/waivers.py: a waiver accepts a finding for its values only, and never silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuadra.errors import InputError
from cuadra.findings import FactRef, Finding
from cuadra.waivers import apply_waivers, load_waivers


def _finding(values: list[float], status: str = "fail") -> Finding:
    facts = tuple(FactRef(f"f:{i}", "a.b", "2020", v, 0, 0, "exact", "s.txt", "1", "q", "", v, v)
                  for i, v in enumerate(values))
    return Finding("r.x", "suma", "2020", "2020", status, "error", "t", "e", (), (0, 0), (1, 1), 1.0, 1.0, "", facts)


def _register(tmp_path: Path, values: str) -> Path:
    p = tmp_path / "w.yaml"
    p.write_text(f"waivers:\n  - rule: r.x\n    period: '2020'\n    values: {values}\n"
                 "    justification: dos definiciones\n    date: 2026-12-02\n", encoding="utf-8")
    return p


def test_waiver_applies_to_its_values(tmp_path: Path) -> None:
    (f,), expired = apply_waivers([_finding([2, 1])], load_waivers(_register(tmp_path, "[1, 2]")))
    assert f.status == "waived" and "dos definiciones" in (f.waiver or "") and expired == []


def test_waiver_expires_when_values_change(tmp_path: Path) -> None:
    (f,), expired = apply_waivers([_finding([1, 3])], load_waivers(_register(tmp_path, "[1, 2]")))
    assert f.status == "fail" and len(expired) == 1 and "expired" in expired[0]


def test_unused_waiver_is_reported(tmp_path: Path) -> None:
    (f,), expired = apply_waivers([_finding([1, 2], status="pass")], load_waivers(_register(tmp_path, "[1, 2]")))
    assert f.status == "pass" and "matches no failing instance" in expired[0]


def test_bad_register_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "w.yaml"
    p.write_text("waivers:\n  - rule: r.x\n    period: '2020'\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_waivers(p)
    assert exc.value.row == 2 and "values" in exc.value.expected
