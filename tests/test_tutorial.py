"""docs/tutorial.md, run as written: from a release's text to findings and Data Docs (issue 14).

The commands are read from the page (every line starting with ``$ ``), so the page cannot drift
from the code. ``cuadra`` runs in process; ``cd`` and ``cp`` are done by the test. The fast run uses
the numpy backend; the slow one runs the page exactly (both backends, GX included).
"""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from cuadra.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "tutorial.md"
EXAMPLE = ROOT / "fixtures" / "examples" / "boletin_ilustrativo"


def _commands() -> list[list[str]]:
    return [shlex.split(line[2:]) for line in PAGE.read_text(encoding="utf-8").splitlines() if line.startswith("$ ")]


def _walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra_validate: list[str]) -> dict[str, int]:
    monkeypatch.chdir(tmp_path)
    codes: dict[str, int] = {}
    for argv in _commands():
        argv = [a.replace("EXAMPLE", str(EXAMPLE)) for a in argv]
        if argv[0] == "cd":
            monkeypatch.chdir(Path.cwd() / argv[1])
        elif argv[0] == "cp":
            shutil.copy(argv[1], argv[2])
        else:
            assert argv[0] == "cuadra", argv
            args = argv[1:] + (extra_validate if argv[1] == "validate" else [])
            codes[argv[1]] = main(args)
    return codes


def _check(tmp_path: Path, codes: dict[str, int]) -> None:
    ws = tmp_path / "mi_boletin"
    assert codes == {"init": 0, "extraer": 0, "validate": 1}
    out = json.loads((ws / "out" / "findings.json").read_text(encoding="utf-8"))
    failing = [f for f in out["findings"] if f["status"] in ("fail", "error")]
    assert [(f["rule"], f["key"]) for f in failing] == [
        ("boletin.puestos_trabajo.creados_en_el_anio.permanentes.porcentaje.razon", "2025-04@boletin.txt")]
    s = out["summary"]
    assert s["facts"] == 14 and s["no_aplica"] > 600 and s["indeterminate"] == 0
    assert out["run"]["expired_waivers"] == []
    by_rule = {f["rule"]: f["status"] for f in out["findings"] if f["rule"] == "duplicado"}
    assert by_rule == {"duplicado": "pass"}, "2,763.4 millones lies within 'cercanas a 2 mil 800 millones'"
    # Every candidate the walk proposed that the steward kept is in candidatos.csv at its line.
    kept = (ws / "datos" / "hechos.csv").read_text(encoding="utf-8").splitlines()[1:]
    proposed = (ws / "candidatos.csv").read_text(encoding="utf-8")
    assert all(line.split(",")[2] in proposed for line in kept)
    assert (ws / "candidatos.no_cifras.csv").is_file()
    # The Data Docs show the steward's own text, linked by line.
    site = ws / "out" / "site"
    assert (site / "index.html").is_file()
    text = "".join(p.read_text(encoding="utf-8") for p in (site / "fuentes").glob("*.html"))
    assert "218 mil 403" in text
    finding_pages = "".join(p.read_text(encoding="utf-8") for p in (site / "hallazgos").glob("*.html"))
    assert "texto fuente no disponible" not in finding_pages


def test_tutorial_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check(tmp_path, _walk(tmp_path, monkeypatch, ["--backend", "pandera", "--quiet"]))


@pytest.mark.slow
def test_tutorial_end_to_end_both_backends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _check(tmp_path, _walk(tmp_path, monkeypatch, []))
