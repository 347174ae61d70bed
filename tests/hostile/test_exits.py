"""Issue 15, items 4 and 5: exit codes mean one thing each; outputs are written atomically."""

from __future__ import annotations

import json

import pytest

import cuadra.engine
import cuadra.report.machine
from cuadra.atomic import atomic_dir
from hostile.corpus import Project, rows, run


def _boom(*_a: object, **_k: object) -> None:
    raise ZeroDivisionError("a bug in cuadra")


def _interrupt(*_a: object, **_k: object) -> None:
    raise KeyboardInterrupt


def test_an_internal_error_is_exit_3_in_one_line(project: Project, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cuadra.engine, "load_facts", _boom)
    code, err = run(project.validate(project.facts()), capsys, project)
    assert code == 3
    assert err.splitlines() == ["cuadra: error interno: ZeroDivisionError: a bug in cuadra "
                                "(CUADRA_DEBUG=1 muestra la traza)"]


def test_debug_shows_the_traceback(project: Project, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from cuadra.cli import main

    monkeypatch.setattr(cuadra.engine, "load_facts", _boom)
    monkeypatch.setenv("CUADRA_DEBUG", "1")
    assert main(project.validate(project.facts())) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and err.rstrip().endswith("cuadra: error interno: ZeroDivisionError: a bug in cuadra")


def test_ctrl_c_is_exit_130_in_one_line(project: Project, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cuadra.engine, "load_facts", _interrupt)
    code, err = run(project.validate(project.facts()), capsys, project)
    assert code == 130 and len(err.splitlines()) == 1 and "interrumpido" in err


def test_findings_and_bad_input_keep_1_and_2(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(project.validate(project.facts()), capsys, project)[0] == 0
    assert run(project.validate(project.facts(rows({"value": "9.9"}))), capsys, project)[0] == 1
    assert run(project.validate(project.facts(rows({"value": "x"}))), capsys, project)[0] == 2


def test_an_interrupted_write_leaves_the_previous_outputs(project: Project, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = project.out
    argv = project.validate(project.facts(), "--json", str(out / "f.json"), "--junit", str(out / "j.xml"),
                            "--docs", str(out / "site"))
    assert run(argv, capsys, project)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    json.loads((out / "f.json").read_text(encoding="utf-8"))
    monkeypatch.setattr(cuadra.report.machine.json, "dumps", _interrupt)
    assert run(argv, capsys, project)[0] == 130  # the site is swapped in, the JSON never half-written
    assert (out / "f.json").read_bytes() == before[out / "f.json"]
    monkeypatch.undo()
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    import cuadra.report.site as site

    monkeypatch.setattr(site, "render_index", _interrupt)
    monkeypatch.setattr("expectations.docs.render_site", _interrupt)
    assert run(argv, capsys, project)[0] == 130
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before, "an interrupted site build leaves the previous site whole"


def test_the_site_folder_is_replaced_whole_and_keeps_foreign_files(project: Project) -> None:
    site = project.out / "site"
    (site / "hallazgos").mkdir(parents=True)
    (site / "index.html").write_text("old", encoding="utf-8")
    (site / "hallazgos" / "stale.html").write_text("stale", encoding="utf-8")
    (site / "findings.json").write_text("{}", encoding="utf-8")
    with atomic_dir(site) as tmp:
        (tmp / "index.html").write_text("new", encoding="utf-8")
        (tmp / "hallazgos").mkdir()
    assert (site / "index.html").read_text(encoding="utf-8") == "new"
    assert not (site / "hallazgos" / "stale.html").exists()
    assert (site / "findings.json").read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in project.out.iterdir()) == ["site"]


def test_a_folder_that_is_not_a_site_is_refused(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    (project.out / "mine").mkdir(parents=True)
    (project.out / "mine" / "thesis.tex").write_text("x", encoding="utf-8")
    code, err = run(project.validate(project.facts(), "--docs", str(project.out / "mine")), capsys, project)
    assert code == 2 and "is not a cuadra site" in err
    assert (project.out / "mine" / "thesis.tex").exists()
