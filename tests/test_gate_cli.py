"""End to end: `cuadra gate` on copies of the bundled reports (issue 8).

Each scenario edits a copy of fixtures/reports in tmp_path and gates it against the bundle. The
known finding is the covered population of report 000 (57,073.9 + 11,702.1 ≠ 69,232.4 miles).
HEAD runs with the Pandera backend here (the numpy evaluator the GX backend is proved equal to in
test_differential.py), which keeps these runs within the fast suite.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from cuadra.cli import main
from cuadra.engine import project_paths
from cuadra.findings import Finding, finding_identity
from cuadra.gate.sides import base_side

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "fixtures" / "reports"
POPULATION = ("poblacion_derechohabiente.cubierta.suma", "2020-12@000_18269b3800bc8850.txt")
REPORT_000 = "000_18269b3800bc8850.csv"
BUILTINS = ("duplicado", "publicado", "rango")


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "reports"
    shutil.copytree(BUNDLE, dst)
    return dst


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    path.write_text(buf.getvalue(), encoding="utf-8")


def _gate(base: Path, head: Path, *extra: str, tmp_path: Path) -> tuple[int, dict]:
    out = tmp_path / "gate.json"
    code = main(["gate", str(base), str(head), "--backend", "pandera", "--json", str(out), "--quiet", *extra])
    return code, json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def bundle_findings() -> list[Finding]:
    from cuadra.engine import validate

    run, *_ = validate(BUNDLE, backend="pandera")
    return run.findings


def test_unchanged_copy_passes_with_open_findings(tmp_path: Path) -> None:
    head = _copy(tmp_path)
    md = tmp_path / "gate.md"
    junit = tmp_path / "gate.xml"
    code, data = _gate(BUNDLE, head, "--markdown", str(md), "--junit", str(junit), "--docs", str(tmp_path / "site"),
                       tmp_path=tmp_path)
    assert code == 0
    assert (tmp_path / "site" / "index.html").exists()  # HEAD's Data Docs, for the CI artifact
    assert data["verdict"] == {**data["verdict"], "exit": 0, "blocking": 0}
    assert data["findings"]["new"] == data["findings"]["resolved"] == data["findings"]["changed"] == []
    known = {(c["head"]["rule"], c["head"]["key"]) for c in data["findings"]["known"]}
    assert POPULATION in known  # the reports still contradict themselves, and that does not block
    assert data["counts"]["data"] == {**data["counts"]["data"], "added": 0, "removed": 0, "revision": 0,
                                      "refinement": 0, "restated": 0}
    assert data["counts"]["data"]["unchanged"] == data["head"]["facts"] == data["base"]["facts"]
    text = md.read_text(encoding="utf-8")
    assert text.startswith("## cuadra gate: ✅") and "Hallazgos conocidos" in text and "Hallazgos nuevos" not in text
    root = ET.parse(junit).getroot()
    assert root.get("failures") == "0"
    skipped = [c.get("name") for c in root.iter("testcase") if c.find("skipped") is not None]
    assert " ".join(POPULATION) in skipped


def _lonely_fact(findings: list[Finding]) -> tuple[Finding, str]:
    """A fact without published text that takes part in one passing equality instance, and no other."""
    uses: Counter[tuple[str, str, str]] = Counter()
    for f in findings:
        for ident in {(x.concept, x.period, x.source) for x in f.facts}:
            uses[ident] += 1
    for f in findings:
        if f.status != "pass" or f.rule in BUILTINS or "==" not in f.expr or "[t-" in f.expr:
            continue
        for x in f.facts:
            if uses[(x.concept, x.period, x.source)] == 1 and not x.published and x.value:
                return f, x.fact_id
    raise AssertionError("no passing rule instance with a fact used nowhere else")


def test_injected_slip_is_exactly_one_new_finding(tmp_path: Path, bundle_findings: list[Finding]) -> None:
    target, fact_id = _lonely_fact(bundle_findings)
    head = _copy(tmp_path)
    name, row = fact_id.rsplit(":", 1)
    header, rows = _read(head / name)
    cells = rows[int(row) - 2]
    col = header.index("value")
    before = cells[col]
    cells[col] = format(Decimal(before).scaleb(3), "f")  # the ×1000 slip: miles typed as pesos
    if not cells[header.index("decimals")]:
        cells[header.index("decimals")] = str(max(0, -Decimal(before).as_tuple().exponent))  # type: ignore[operator]
    _write(head / name, header, rows)
    md, junit = tmp_path / "gate.md", tmp_path / "gate.xml"
    code, data = _gate(BUNDLE, head, "--markdown", str(md), "--junit", str(junit), tmp_path=tmp_path)
    assert code == 1
    failures = [c for c in ET.parse(junit).getroot().iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == [f"{target.rule} {target.key}"]
    new = data["findings"]["new"]
    assert [(c["rule"], c["head"]["key"]) for c in new] == [(target.rule, target.key)]
    assert new[0]["blocking"] and new[0]["base_status"] == "pass" and new[0]["head_status"] == "fail"
    assert data["findings"]["resolved"] == []
    revisions = data["data"]["changes"]
    assert len(revisions) == 1 and revisions[0]["kind"] == "revision"
    assert revisions[0]["base"]["value"] * 1000 == pytest.approx(revisions[0]["head"]["value"])
    text = md.read_text(encoding="utf-8")
    assert text.startswith("## cuadra gate: ❌") and target.rule in text and target.titulo in text
    assert text.index("Hallazgos nuevos") < text.index("Revisiones de datos") < text.index("Hallazgos conocidos")


def test_corrected_transcription_is_resolved(tmp_path: Path) -> None:
    head = _copy(tmp_path)
    header, rows = _read(head / REPORT_000)
    i_concept, i_period, i_value, i_pub = (header.index(c) for c in ("concept", "period", "value", "published"))
    row = next(r for r in rows if r[i_concept] == "poblacion_derechohabiente.cubierta" and r[i_period] == "2020-12")
    assert row[i_value] == "69232.4"
    row[i_value], row[i_pub] = "68776.0", "68,776.0 miles"  # 57,073.9 + 11,702.1
    _write(head / REPORT_000, header, rows)
    code, data = _gate(BUNDLE, head, tmp_path=tmp_path)
    resolved = {(c["rule"], c["base"]["key"]): c for c in data["findings"]["resolved"]}
    assert resolved[POPULATION]["head_status"] == "pass"
    assert POPULATION not in {(c["rule"], c["head"]["key"]) for c in data["findings"]["known"]}
    change = next(c for c in data["data"]["changes"] if c["concept"] == "poblacion_derechohabiente.cubierta")
    assert change["kind"] == "revision" and change["base"]["value"] == 69232.4 and change["head"]["value"] == 68776.0
    assert change["base"]["locator"] == change["head"]["locator"] == "38"
    assert code == (1 if data["findings"]["new"] else 0)


def test_reordered_rows_and_split_file_change_nothing(tmp_path: Path) -> None:
    head = _copy(tmp_path)
    files = sorted(head.glob("*.csv"), key=lambda p: p.stat().st_size)
    header, rows = _read(files[-1])
    _write(files[-1], header, rows[::-1])  # the largest report, rows reversed
    header, rows = _read(files[-2])
    half = len(rows) // 2
    files[-2].unlink()  # the next one split into two files
    _write(head / f"{files[-2].stem}_a.csv", header, rows[:half])
    _write(head / f"{files[-2].stem}_b.csv", header, rows[half:])
    code, data = _gate(BUNDLE, head, tmp_path=tmp_path)
    assert code == 0
    assert {k: v for k, v in data["counts"]["findings"].items() if k != "known"} == \
        {"new": 0, "new_blocking": 0, "changed": 0, "resolved": 0}
    assert data["data"]["changes"] == data["data"]["added"] == data["data"]["removed"] == []
    assert data["lost"] == [] and data["counts"]["lost"] == {"lost": 0, "blocking": 0, "accepted": 0}


def test_identity_survives_row_moves(tmp_path: Path, bundle_findings: list[Finding]) -> None:
    head = _copy(tmp_path)
    header, rows = _read(head / REPORT_000)
    _write(head / REPORT_000, header, rows[1:] + rows[:1])
    side = base_side(head, project_paths(), *_loaded())
    ids = Counter(finding_identity(f) for f in bundle_findings)
    assert Counter(finding_identity(f) for f in side.findings) == ids
    assert any(f.rule == "publicado" for f in bundle_findings)  # keyed by file:row, yet matched


def _loaded() -> tuple:
    from cuadra.contract.registry import load_registry
    from cuadra.rules.catalogue import catalogue_hash, load_catalogue

    project = project_paths()
    registry = load_registry(project.registry)
    return registry, load_catalogue(project.rules, registry.concepts), catalogue_hash(project.rules)


def test_findings_json_base(tmp_path: Path) -> None:
    saved = tmp_path / "base.json"
    assert main(["validate", str(BUNDLE), "--backend", "pandera", "--json", str(saved), "--quiet"]) == 1
    head = _copy(tmp_path)
    header, rows = _read(head / REPORT_000)
    i_concept, i_value, i_pub = (header.index(c) for c in ("concept", "value", "published"))
    row = next(r for r in rows if r[i_concept] == "poblacion_derechohabiente.cubierta")
    row[i_value], row[i_pub] = "69232.43", "69,232.43 miles"  # a refinement inside ±0.05 miles
    row[header.index("decimals")] = "2"
    _write(head / REPORT_000, header, rows)
    code, data = _gate(saved, head, tmp_path=tmp_path)
    assert data["base"]["complete"] is False and data["data"]["complete"] is False
    assert any("JSON de hallazgos" in n for n in data["notes"])
    assert data["data"]["added"] == []  # unknown, not "added"
    change = next(c for c in data["data"]["changes"] if c["concept"] == "poblacion_derechohabiente.cubierta")
    assert change["kind"] == "refinement"
    changed = {(c["rule"], c["head"]["key"]) for c in data["findings"]["changed"]}
    assert POPULATION in changed  # its figures moved: changed, not new + resolved
    assert code == (1 if data["findings"]["new"] else 0)


@pytest.mark.parametrize("side", ["base", "head"])
def test_bad_input_on_either_side_exits_2(tmp_path: Path, side: str, capsys: pytest.CaptureFixture[str]) -> None:
    broken = _copy(tmp_path)
    f = broken / REPORT_000
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",3578315.1,", ',"3,57,8315.1",', 1)
    f.write_text("".join(lines), encoding="utf-8")
    args = [str(broken), str(BUNDLE)] if side == "base" else [str(BUNDLE), str(broken)]
    assert main(["gate", *args, "--backend", "pandera", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{f}:2:value: value '3,57,8315.1' does not parse" in err and "Traceback" not in err


def test_bad_findings_json_base_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "base.json"
    bad.write_text(json.dumps({"summary": {}, "run": {}, "findings": [{"rule": "x", "key": "k"}]}), encoding="utf-8")
    assert main(["gate", str(bad), str(BUNDLE), "--backend", "pandera", "--quiet"]) == 2
    assert f"{bad}:findings[0].period: expected period" in capsys.readouterr().err
    assert main(["gate", str(BUNDLE), str(bad), "--quiet"]) == 2
    assert "HEAD must be a dataset" in capsys.readouterr().err
    assert main(["gate", str(tmp_path / "nope"), str(BUNDLE), "--quiet"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_expired_waiver_makes_its_finding_new(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        f"  - rule: {POPULATION[0]}\n    period: '{POPULATION[1]}'\n    values: [57073.9, 11702.1, 69232.4]\n"
        "    justificacion: el informe suma así\n    aprobado_por: equipo de prueba\n    fecha: 2026-01-15\n"
        "    vence: 2099-12-31\n", encoding="utf-8")
    head = _copy(tmp_path)
    header, rows = _read(head / REPORT_000)
    i_concept, i_value, i_pub = (header.index(c) for c in ("concept", "value", "published"))
    row = next(r for r in rows if r[i_concept] == "poblacion_derechohabiente.adscrita")
    row[i_value], row[i_pub] = "57073.8", "57,073.8 miles"
    _write(head / REPORT_000, header, rows)
    md = tmp_path / "gate.md"
    code, data = _gate(BUNDLE, head, "--waivers", str(waivers), "--markdown", str(md), tmp_path=tmp_path)
    assert code == 1
    new = {(c["rule"], c["head"]["key"]): c for c in data["findings"]["new"]}
    assert new[POPULATION]["base_status"] == "waived" and new[POPULATION]["head_status"] == "fail"
    assert any("expired" in e and POPULATION[0] in e for e in data["expired_waivers"])
    assert "waiver" in md.read_text(encoding="utf-8")


@pytest.mark.slow
def test_empty_base_folder_makes_everything_new(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, data = _gate(empty, BUNDLE, tmp_path=tmp_path)
    assert code == 1 and data["findings"]["known"] == data["findings"]["resolved"] == []
    assert POPULATION in {(c["rule"], c["head"]["key"]) for c in data["findings"]["new"]}
    assert len(data["data"]["added"]) == data["head"]["facts"] and any("vacía" in n for n in data["notes"])
