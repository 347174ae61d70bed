"""A steward's own submission (issue 14): extend never replace, cuadra.toml, no noise, every misuse.

Every misuse must end with exit 2 and one clear line that says what to do, never a traceback.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cuadra.cli import main
from cuadra.contract.registry import default_registry_paths
from cuadra.engine import ROOT, Project, split_applying, validate
from cuadra.rules.catalogue import load_catalogue, split_fuente
from cuadra.workspace import read_workspace

EXAMPLE = ROOT / "fixtures" / "examples" / "boletin_ilustrativo"
REPORT_000 = ROOT / "fixtures" / "reports" / "000_18269b3800bc8850.csv"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _steward_rows(path: Path, lines: set[str]) -> Path:
    """Rows of report 000 at ``lines``, as if a steward had transcribed them from their own document."""
    with REPORT_000.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["locator"] in lines]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows:
            w.writerow({**r, "source": "https://www.imss.gob.mx/prensa/boletin-012"})
    return path


@pytest.mark.parametrize(("argv", "needle"), [
    (["validate", "x.csv", "--concepts", "nope.yaml"], "nope.yaml: no such file or folder (given as --concepts)"),
    (["validate", "x.csv", "--rules", "nope/"], "no such file or folder (given as --rules)"),
    (["validate", "x.csv", "--waivers", "nope.yaml"], "(given as --waivers)"),
    (["validate", "x.csv", "--fuentes", "nope", "--docs", "out"], "(given as --fuentes)"),
    (["validate", "x.csv", "--solo"], "--solo uses only the given files: name a concept registry"),
    (["validate", "--config", "nope.toml"], "nope.toml: no such workspace file (create one with: cuadra init DIR)"),
    (["extraer", "nope.txt", "--out", "c.csv"], "nope.txt: no such file: give a .txt or .pdf release"),
    (["extraer", "a.txt", "b.txt", "--out", "c.csv", "--source", "x"], "--source names one document"),
    (["extraer", "a.txt", "--out", "c.csv", "--solo"], "--solo suggests only from the given registries"),
])
def test_misuse_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                argv: list[str], needle: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("concept\n", encoding="utf-8")
    (tmp_path / "a.txt").write_text("1,234 personas\n", encoding="utf-8")
    code, err = _run(capsys, *argv)
    assert code == 2 and needle in err, err


@pytest.mark.parametrize(("toml", "needle"), [
    ("[cuadra\n", "cuadra.toml:1: TOML"),
    ("title = 'x'\n", "expected a [cuadra] table"),
    ("[cuadra]\nrulez = ['r']\n", "unknown key(s) rulez"),
    ("[cuadra]\nrules = 3\n", "rules: expected a list of paths"),
    ("[cuadra]\nsolo = 'yes'\n", "solo: expected true or false"),
])
def test_bad_workspace_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                            toml: str, needle: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cuadra.toml").write_text(toml, encoding="utf-8")
    code, err = _run(capsys, "validate")
    assert code == 2 and needle in err, err


def test_init_refuses_a_folder_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "ws")]) == 0
    code, err = _run(capsys, "init", str(tmp_path / "ws"))
    assert code == 2 and "folder is not empty: choose a new one, or add --force" in err
    (tmp_path / "ws" / "concepts.yaml").write_text("concepts: {}\n# mine\n", encoding="utf-8")
    assert main(["init", str(tmp_path / "ws"), "--force"]) == 0
    assert "# mine" in (tmp_path / "ws" / "concepts.yaml").read_text(encoding="utf-8"), "never overwrites"


def test_init_writes_a_complete_workspace(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path / "ws")]) == 0
    ws = tmp_path / "ws"
    for rel in ("cuadra.toml", "concepts.yaml", "rules/reglas.yaml", "waivers.yaml", "noxfile.py",
                ".github/workflows/cuadra.yml", "README.md", "datos", "fuentes"):
        assert (ws / rel).exists(), rel
    w = read_workspace(ws / "cuadra.toml")
    assert (w.dataset, w.concepts, w.fuentes, w.solo) == (ws / "datos", (ws / "concepts.yaml",), (ws / "fuentes",),
                                                          False)
    nox = (ws / "noxfile.py").read_text(encoding="utf-8")
    assert all(f"def {s}(" in nox for s in ("validate", "gate", "docs"))
    compile(nox, "noxfile.py", "exec")
    assert "cuadra validate" in (ws / "README.md").read_text(encoding="utf-8")
    empty = load_catalogue([ws / "rules" / "reglas.yaml"], None)
    assert empty == []


def test_fuentes_any_name_or_url_and_empty(tmp_path: Path) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text(
        "rules:\n"
        "  - {id: a.b.suma, titulo: t, expr: 'a.b == a.c', kind: suma,\n"
        "     fuentes: ['https://www.imss.gob.mx/prensa/boletin-012:7-8', 'Boletín 012.pdf']}\n"
        "  - {id: a.b.cota, titulo: t, expr: 'a.b >= 0', kind: cota, fuentes: []}\n", encoding="utf-8")
    a, b = load_catalogue([rules], None)
    assert split_fuente(a.fuentes[0]) == ("https://www.imss.gob.mx/prensa/boletin-012", "7-8")
    assert split_fuente(a.fuentes[1]) == ("Boletín 012.pdf", "")
    assert b.fuentes == ()


def test_missing_fuentes_says_how_to_write_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "r.yaml"
    rules.write_text("- {id: a.b.cota, titulo: t, expr: 'a.b >= 0', kind: cota}\n", encoding="utf-8")
    data = _steward_rows(tmp_path / "d.csv", {"38"})
    code, err = _run(capsys, "validate", str(data), "--rules", str(rules), "--backend", "pandera", "--quiet")
    assert code == 2 and "r.yaml:1" in err and "write 'fuentes: []'" in err, err


def test_extend_never_replace_and_solo(tmp_path: Path) -> None:
    """--concepts adds to the bundled registry (its units with it); --solo uses only the given files."""
    concepts = tmp_path / "mine.yaml"
    concepts.write_text("concepts:\n  mio.personas.total: {label: Personas, unit: personas, kind: stock}\n",
                        encoding="utf-8")
    rules = tmp_path / "mine_rules.yaml"
    rules.write_text("- {id: mio.cota, titulo: t, expr: 'mio.personas.total >= poblacion_derechohabiente.adscrita',"
                     " kind: cota, fuentes: []}\n", encoding="utf-8")
    data = _steward_rows(tmp_path / "d.csv", {"38"})
    with data.open("a", encoding="utf-8") as fh:
        fh.write("mio.personas.total,2020-12,70000,personas,3,0,nearest,final,mine.txt,1,70 mil,,\n")
    base = Project(rules=(*sorted((ROOT / "rules").glob("*.yaml")), rules),
                   registry=(*default_registry_paths(ROOT / "fixtures"), concepts), waivers=None)
    run, _, applied, _ = validate(data, backend="pandera", project=base)
    assert {"mio.cota", "poblacion_derechohabiente.cubierta.suma"} <= {r.id for r in applied}
    solo = Project(rules=(rules,), registry=(ROOT / "fixtures" / "concepts.yaml", concepts), waivers=None)
    run, _, applied, _ = validate(data, backend="pandera", project=solo)
    assert [r.id for r in applied] == ["mio.cota"]
    assert {f.rule for f in run.findings} <= {"mio.cota", "duplicado", "publicado", "rango"}


def test_no_noise_on_a_stewards_small_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Rules without operands are counted once as no_aplica; no INPC facts, no bundled-waiver warnings."""
    monkeypatch.chdir(tmp_path)
    data = _steward_rows(tmp_path / "d.csv", {"38"})
    code = main(["validate", str(data), "--backend", "pandera", "--json", "f.json", "--quiet"])
    out = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    s = out["summary"]
    assert code == 1  # the bundle's own 000:38 inconsistency, found in the steward's copy too
    assert s["facts"] == 3 and s["no_aplica"] > 600 and s["rules"] < 60
    assert out["run"]["expired_waivers"] == []
    concepts = {"poblacion_derechohabiente.adscrita", "poblacion_derechohabiente.beneficiarios_no_adscritos",
                "poblacion_derechohabiente.cubierta"}
    assert all(any(x["concept"] in concepts for x in f["facts"]) or f["rule"] in ("duplicado", "publicado", "rango")
               for f in out["findings"] if f["status"] != "pass" or f["facts"])
    assert not [f for f in out["findings"] if f["reason"] == "falta un operando" and not f["facts"]]


def test_split_applying() -> None:
    rules = load_catalogue(sorted((ROOT / "rules").glob("*.yaml")), None)
    applying, idle = split_applying(rules, {"poblacion_derechohabiente.adscrita"})
    assert applying and len(applying) + len(idle) == len(rules)
    assert all(any(r.concept == "poblacion_derechohabiente.adscrita" for r in x.refs) for x in applying)
