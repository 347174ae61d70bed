"""cuadra/waivers.py: a waiver accepts a finding for its values and until its date only, never silently."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cuadra.errors import InputError
from cuadra.findings import FactRef, Finding
from cuadra.waivers import apply_waivers, load_waivers, waiver_states

TODAY = date(2026, 12, 7)


def _finding(values: list[float], status: str = "fail") -> Finding:
    facts = tuple(FactRef(f"f:{i}", "a.b", "2020", v, 0, 0, "exact", "s.txt", "1", "q", "", v, v)
                  for i, v in enumerate(values))
    return Finding("r.x", "suma", "2020", "2020", status, "error", "t", "e", (), (0, 0), (1, 1), 1.0, 1.0, "", facts)


def _register(tmp_path: Path, values: str, vence: str = "2027-12-31", extra: str = "") -> Path:
    p = tmp_path / "w.yaml"
    p.write_text(f"waivers:\n  - rule: r.x\n    period: '2020'\n    values: {values}\n"
                 "    justificacion: dos definiciones\n    aprobado_por: mantenedores\n"
                 f"    fecha: 2026-12-02\n    vence: {vence}\n{extra}", encoding="utf-8")
    return p


def test_waiver_applies_to_its_values(tmp_path: Path) -> None:
    (f,), expired = apply_waivers([_finding([2, 1])], load_waivers(_register(tmp_path, "[1, 2]")), TODAY)
    assert f.status == "waived" and expired == []
    assert "dos definiciones" in (f.waiver or "") and "mantenedores" in (f.waiver or "")
    assert "2027-12-31" in (f.waiver or "")


def test_waiver_expires_when_values_change(tmp_path: Path) -> None:
    waivers = load_waivers(_register(tmp_path, "[1, 2]"))
    (f,), expired = apply_waivers([_finding([1, 3])], waivers, TODAY)
    assert f.status == "fail" and len(expired) == 1 and "expired" in expired[0]
    assert [s.state for s in waiver_states([f], waivers, TODAY)] == ["vencida_valores"]


def test_issue_16_waiver_expires_after_its_date(tmp_path: Path) -> None:
    """Issue 16: a waiver past its ``vence`` gives its finding back as a finding, named as expired."""
    waivers = load_waivers(_register(tmp_path, "[1, 2]", vence="2026-12-06"))
    (f,), expired = apply_waivers([_finding([1, 2])], waivers, TODAY)
    assert f.status == "fail" and f.waiver is None
    assert len(expired) == 1 and "2026-12-06" in expired[0] and "expired" in expired[0]
    assert [s.state for s in waiver_states([f], waivers, TODAY)] == ["vencida_fecha"]
    # On its last day it still applies.
    (g,), _ = apply_waivers([_finding([1, 2])], waivers, date(2026, 12, 6))
    assert g.status == "waived"
    assert [s.state for s in waiver_states([g], waivers, date(2026, 12, 6))] == ["aplicada"]


def test_unused_waiver_is_reported(tmp_path: Path) -> None:
    waivers = load_waivers(_register(tmp_path, "[1, 2]"))
    (f,), expired = apply_waivers([_finding([1, 2], status="pass")], waivers, TODAY)
    assert f.status == "pass" and "matches no failing instance" in expired[0]
    assert [s.state for s in waiver_states([f], waivers, TODAY)] == ["sin_uso"]


def test_bad_register_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "w.yaml"
    p.write_text("waivers:\n  - rule: r.x\n    period: '2020'\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_waivers(p)
    assert exc.value.row == 2 and "values" in exc.value.expected


@pytest.mark.parametrize(("vence", "extra", "column"), [
    ("2026-12-01", "", "vence"),              # expires before it was accepted
    ("31/12/2027", "", "vence"),              # not an ISO date
    ("2027-12-31", "    firmado: alguien\n", "firmado"),  # a key the register does not know
])
def test_issue_16_register_rejects_unsigned_or_undated(tmp_path: Path, vence: str, extra: str, column: str) -> None:
    with pytest.raises(InputError) as exc:
        load_waivers(_register(tmp_path, "[1, 2]", vence=vence, extra=extra))
    assert exc.value.column == column


def test_issue_16_bundled_waivers_are_signed_and_in_spanish(root: Path) -> None:
    waivers = load_waivers(root / "fixtures" / "waivers.yaml")
    assert len(waivers) >= 5
    for w in waivers:
        assert w.aprobado_por and w.date <= w.vence and w.historial
        assert not any(word in w.justification.split() for word in ("the", "and", "of", "not")), w.justification
