"""Issue 19: the gate sees what disappears, and says the same thing everywhere.

Scenarios on copies of the bundled reports (HEAD with the Pandera backend, as in test_gate_cli.py):
a deleted row loses checks and blocks; an option or a waiver accepts the loss; a ×1000 slip and a
reordering are counted alike by the terminal, the JSON, the Markdown heading and table, the JUnit
and the Data Docs; bad input still writes a Markdown and a JSON that say "entrada inválida".
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from cuadra.cli import main

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "fixtures" / "reports"
REPORT_000 = "000_18269b3800bc8850.csv"
DELETED = ("pensiones.ley73.monto.crecimiento_real", "2020")
SLIPPED = ("pensiones.ley73.monto", "2020")
BOUNDS = ("d000.r000.pensiones.crecimiento_total_acotado_max", "d000.r000.pensiones.crecimiento_total_acotado_min")
WEIGHTED = "pensiones.total.monto.crecimiento_real.ponderado"  # a warning
KEY_000 = "2020@000_18269b3800bc8850.txt"


def _edit(tmp_path: Path, how: str) -> Path:
    """A copy of the bundle with report 000 edited: ``delete``, ``slip`` (×1000) or ``reorder``."""
    head = tmp_path / "head"
    shutil.copytree(BUNDLE, head)
    f = head / REPORT_000
    rows = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    i_c, i_p, i_v = (header.index(c) for c in ("concept", "period", "value"))
    target = DELETED if how == "delete" else SLIPPED
    at = next(i for i, r in enumerate(body) if (r[i_c], r[i_p]) == target)
    if how == "delete":
        del body[at]
    elif how == "slip":
        body[at][i_v] = format(Decimal(body[at][i_v]).scaleb(3), "f")  # miles typed as pesos
    else:
        body.reverse()
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows([header, *body])
    f.write_text(buf.getvalue(), encoding="utf-8")
    return head


def _gate(tmp_path: Path, head: Path, *extra: str, quiet: bool = True) -> tuple[int, dict, str, ET.Element]:
    out = {k: tmp_path / f"gate.{k}" for k in ("json", "md", "xml")}
    args = ["gate", str(BUNDLE), str(head), "--backend", "pandera", "--json", str(out["json"]),
            "--markdown", str(out["md"]), "--junit", str(out["xml"]), *extra]
    code = main([*args, "--quiet"] if quiet else args)
    return (code, json.loads(out["json"].read_text(encoding="utf-8")), out["md"].read_text(encoding="utf-8"),
            ET.parse(out["xml"]).getroot())


def test_deleted_row_loses_checks_and_blocks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, data, md, junit = _gate(tmp_path, _edit(tmp_path, "delete"), "--docs", str(tmp_path / "site"),
                                  quiet=False)
    _counts_agree(data, md, junit, capsys.readouterr().out, tmp_path / "site")
    assert code == 1 and data["verdict"]["exit"] == 1
    lost = {c["rule"]: c for c in data["lost"]}
    assert set(BOUNDS) <= lost.keys() and WEIGHTED in lost
    for rule in BOUNDS:
        c = lost[rule]
        assert (c["key"], c["base_status"], c["head_status"], c["blocking"]) == (KEY_000, "pass", "indeterminate", True)
        assert [(f["concept"], f["period"], f["source"]) for f in c["removed_facts"]] == \
            [(*DELETED, "000_18269b3800bc8850.txt")]
        assert "falta un operando" in c["reason"] and DELETED[0] in c["reason"]
    assert lost[WEIGHTED]["blocking"] is False  # a warning, under --fail-on error: listed, not blocking
    # The deleted figure's own per-fact check (publicado) is not a lost check: the fact is listed as removed.
    assert "publicado" not in lost and data["counts"]["data"]["removed"] == 1
    assert data["counts"]["lost"] == {"lost": len(lost), "blocking": 2, "accepted": 0}
    assert data["findings"]["new"] == []
    assert md.startswith("## cuadra gate: ❌ **2 bloqueante(s)") and "Comprobaciones perdidas" in md
    assert "eliminado en HEAD" in md
    failures = [c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None]
    assert sorted(failures) == sorted(f"{r} {KEY_000}" for r in BOUNDS)


def test_accepting_a_deliberate_removal(tmp_path: Path) -> None:
    """An option accepts one lost check, a `perdida: true` waiver (for its BASE values) the other."""
    waivers = tmp_path / "waivers.yaml"
    shutil.copy(ROOT / "fixtures" / "waivers.yaml", waivers)
    with waivers.open("a", encoding="utf-8") as fh:
        fh.write(f"  - rule: {BOUNDS[0]}\n    period: '{KEY_000}'\n    values: [8.9, 8.7, 15.7, 4.7]\n"
                 "    perdida: true\n    justificacion: la cifra se retira del informe\n"
                 "    aprobado_por: revisión del catálogo\n"
                 "    fecha: 2026-12-07\n    vence: 2027-12-31\n")
    code, data, md, _ = _gate(tmp_path, _edit(tmp_path, "delete"), "--waivers", str(waivers),
                              "--accept-lost", "d000.r000.pensiones.*_min")
    lost = {c["rule"]: c for c in data["lost"]}
    assert lost[BOUNDS[0]]["accepted"].startswith("waiver waivers.yaml:")
    assert lost[BOUNDS[1]]["accepted"] == "--accept-lost d000.r000.pensiones.*_min:*"
    assert not lost[WEIGHTED]["accepted"]  # not named by either
    assert code == 0 and data["counts"]["lost"]["blocking"] == 0 and data["counts"]["lost"]["accepted"] == 2
    assert md.count("aceptada:") == 2
    assert not any("perdida" in e or BOUNDS[0] in e for e in data["expired_waivers"])  # validate ignores it


def _numbers(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d+", text)]


def _counts_agree(data: dict, md: str, junit: ET.Element, term: str, site: Path) -> None:
    """One count: the terminal, the JSON, the Markdown heading and table, the JUnit and the Data Docs agree."""
    n = data["counts"]
    new, lost = n["findings"], n["lost"]
    assert data["verdict"]["exit"] == (1 if n["blocking"] else 0)
    assert n["blocking"] == data["verdict"]["blocking"] == new["new_blocking"] + lost["blocking"]
    assert (new["new"], new["new_blocking"]) == (len(data["findings"]["new"]),
                                                 sum(c["blocking"] for c in data["findings"]["new"]))
    assert (lost["lost"], lost["blocking"]) == (len(data["lost"]), sum(c["blocking"] for c in data["lost"]))
    # Markdown: the heading's number and the table's cells.
    heading = md.splitlines()[0]
    assert (_numbers(heading.split("severidad")[0])[:1] or [0]) == [n["blocking"]]
    cells = [c.strip() for c in md.splitlines()[6].strip("|").split("|")]
    assert cells[:5] == [f"{new['new']} ({new['new_blocking']})", f"{lost['lost']} ({lost['blocking']})",
                         str(new["changed"]), str(new["resolved"]), str(new["known"])]
    assert _numbers(" ".join(cells[5:])) == [n["data"][k] for k in ("revision", "refinement", "restated", "added",
                                                                     "removed")]
    # JUnit: one failure per blocking item; one testcase per new finding and per lost check.
    assert int(junit.get("failures", "-1")) == n["blocking"]
    suites = {s.get("name"): s for s in junit}
    assert len([c for c in suites["cuadra.gate.perdidas"] if c.get("name") != "sin comprobaciones perdidas"]) == \
        lost["lost"]
    assert len([c for c in suites["cuadra.gate.nuevos"] if c.get("name") != "sin hallazgos nuevos"]) == new["new"]
    # Terminal: the same table and the same verdict sentence as the Markdown heading.
    assert re.search(rf"nuevos \(bloquean\)\s+{new['new']} \({new['new_blocking']}\)", term)
    assert re.search(rf"perdidas \(bloquean\)\s+{lost['lost']} \({lost['blocking']}\)", term)
    assert re.search(rf"conocidos\s+{new['known']}\b", term)
    assert heading.split("**")[1] in term.replace("\n", " ")
    # Data Docs: HEAD's counts are the summary the gate JSON carries, and the index prints them.
    index = (site / "index.html").read_text(encoding="utf-8")
    assert n["head"] == data["head"]["summary"]
    assert f"{n['head']['instances']:,}" in index or str(n["head"]["instances"]) in index


@pytest.mark.parametrize("how", ["slip", "reorder"])
def test_every_output_prints_the_same_counts(tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]) -> None:
    """One count, on a ×1000 slip (outside its rounding) and a reordering (the deleted row: above)."""
    code, data, md, junit = _gate(tmp_path, _edit(tmp_path, how), "--docs", str(tmp_path / "site"), quiet=False)
    _counts_agree(data, md, junit, capsys.readouterr().out, tmp_path / "site")
    new = data["counts"]["findings"]
    if how == "slip":  # the case: a warning among the new findings, counted apart, named alike
        assert code == 1 and new["new"] > new["new_blocking"] >= 1
        assert f"{new['new_blocking']} hallazgo(s) nuevo(s)" in md.splitlines()[0]
    else:
        assert code == 0 and data["counts"]["blocking"] == 0 and data["lost"] == []


def test_bad_input_still_writes_what_ci_posts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    head = tmp_path / "head"
    shutil.copytree(BUNDLE, head)
    f = head / REPORT_000
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",3578315.1,", ',"3,57,8315.1",', 1)  # a figure that does not parse
    assert "3,57,8315.1" in lines[1]
    f.write_text("".join(lines), encoding="utf-8")
    out = {k: tmp_path / f"gate.{k}" for k in ("json", "md", "xml")}
    code = main(["gate", str(BUNDLE), str(head), "--backend", "pandera", "--json", str(out["json"]), "--markdown",
                 str(out["md"]), "--junit", str(out["xml"]), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "does not parse" in err and "Traceback" not in err
    md = out["md"].read_text(encoding="utf-8")
    assert md.startswith("## cuadra gate: ⛔ **entrada inválida**") and "does not parse" in md
    data = json.loads(out["json"].read_text(encoding="utf-8"))
    assert data["verdict"]["exit"] == 2 and data["verdict"]["invalid_input"] is True
    assert any("3,57,8315.1" in m and "does not parse" in m for m in data["verdict"]["messages"])
    assert ET.parse(out["xml"]).getroot().get("failures") == "1"


def test_removing_every_operand_of_a_rule_is_a_lost_check(tmp_path: Path) -> None:
    """HEAD states none of a rule's operands: the rule is "no aplica" there (issue 14) and left out of
    HEAD's run; BASE is still judged by it, so the failing population sum it drops is a lost check
    (and a resolved finding: deleting the figures does not make a discrepancy go away quietly)."""
    from cuadra.engine import Project, project_paths
    from cuadra.gate import run_gate

    project = Project(rules=(ROOT / "tests" / "snapshots" / "rules.yaml",), registry=project_paths().registry,
                      waivers=None)
    base, head = tmp_path / "base", tmp_path / "head"
    base.mkdir(), head.mkdir()
    shutil.copy(BUNDLE / REPORT_000, base / REPORT_000)
    lines = (base / REPORT_000).read_text(encoding="utf-8").splitlines(keepends=True)
    (head / REPORT_000).write_text("".join(x for x in lines if not x.startswith("poblacion_derechohabiente.")),
                                   encoding="utf-8")
    g = run_gate(base, head, project=project, backend="pandera")
    assert g.run.n_no_aplica >= 1
    lost = [(c.base.rule, c.base.status, c.head_status, c.blocks("error")) for c in g.lost]
    assert ("poblacion_derechohabiente.cubierta.suma", "fail", "absent", True) in lost
    assert [c.base.rule for c in g.findings.resolved] == ["poblacion_derechohabiente.cubierta.suma"]
    assert g.exit_code == 1
