"""Issue 18: agregar writes facts that `cuadra validate` reconciles with the reports, and a planted
mismatch with the reports' figure is reported."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from cuadra.cli import main
from cuadra.engine import ROOT
from cuadra.microdata.aggregate import ENTITY_CONCEPTS, MEASURE_CONCEPTS, entity_concept
from cuadra.microdata.layout import load_layout
from cuadra.microdata.synthetic import write_synthetic


def test_every_concept_is_registered() -> None:
    reg = yaml.safe_load((ROOT / "fixtures" / "concepts" / "microdatos.yaml").read_text(encoding="utf-8"))["concepts"]
    main_reg = yaml.safe_load((ROOT / "fixtures" / "concepts.yaml").read_text(encoding="utf-8"))["concepts"]
    known = set(reg) | set(main_reg)
    entidades = load_layout().lists["cve_entidad"]
    ids = set(MEASURE_CONCEPTS) | {entity_concept(c, e) for c in ENTITY_CONCEPTS for e in entidades}
    assert ids - known == set()


def _month(tmp: Path, desfase: float) -> Path:
    side = write_synthetic(tmp / "asg-2020-12-31.csv", filas=2000, fecha=date(2020, 12, 31), desfase=desfase, semilla=3)
    return tmp / str(side["archivo"])


def _validate(tmp: Path, data: Path) -> dict:
    folder = tmp / "ds"
    folder.mkdir()
    for f in (ROOT / "fixtures" / "reports").glob("*.csv"):
        shutil.copy(f, folder)
    assert main(["microdatos", "agregar", str(data), "--out", str(folder / "hechos.csv")]) == 0
    out = tmp / "v.json"
    main(["validate", str(folder), "--backend", "pandera", "--json", str(out), "--quiet"])
    return json.loads(out.read_text(encoding="utf-8"))


def _dup(result: dict) -> dict:
    return next(f for f in result["findings"] if f["rule"] == "duplicado"
                and f["key"] == "afiliacion.puestos_trabajo|2020-12-31")


@pytest.mark.slow
def test_calibrated_month_reconciles_with_the_report(tmp_path: Path) -> None:
    res = _validate(tmp_path, _month(tmp_path, 0.0))
    dup = _dup(res)
    assert dup["status"] == "pass"
    assert {x["source"][:3] for x in dup["facts"]} == {"001", "sin"}
    # The vocabulary's hierarchy (puestos = permanentes + eventuales, issue 13) checks the aggregates
    # with no rule written for them: a template instance over the synthetic month's facts, passing.
    mine = [f for f in res["findings"] if f.get("template")
            and any(x["source"].startswith("sin") for x in f["facts"])]
    assert mine and all(f["status"] == "pass" for f in mine)


@pytest.mark.slow
def test_planted_mismatch_with_the_report_is_a_finding(tmp_path: Path) -> None:
    dup = _dup(_validate(tmp_path, _month(tmp_path, 0.01)))  # 1% more puestos than "19.8 millones"
    assert dup["status"] == "fail"
