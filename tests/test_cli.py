"""End to end: `cuadra validate` on the bundled reports and on broken copies (issue 2)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from html import escape, unescape
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from cuadra.cli import main
from cuadra.engine import project_paths
from cuadra.report.documents import load_documents
from cuadra.waivers import load_waivers
from expectations.docs import DEFAULT_DOCUMENTS
from expectations.offline import remote_assets

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "fixtures" / "reports"
POPULATION = ("poblacion_derechohabiente.cubierta.suma", "2020-12@000_18269b3800bc8850.txt")


@pytest.fixture(scope="module")
def bundle_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    code = main(["validate", str(BUNDLE), "--json", str(out / "f.json"), "--junit", str(out / "j.xml"),
                 "--docs", str(out / "site"), "--quiet"])
    (out / "code").write_text(str(code))
    return out


def test_bundle_reports_its_real_discrepancies(bundle_run: Path) -> None:
    assert (bundle_run / "code").read_text() == "1"  # the reports contradict themselves: findings
    data = json.loads((bundle_run / "f.json").read_text(encoding="utf-8"))
    s = data["summary"]
    assert set(s) >= {"rules", "instances", "pass", "fail", "indeterminate", "waived"}
    assert s["instances"] == len(data["findings"]) == s["pass"] + s["fail"] + s["indeterminate"] + s["waived"] \
        + s["error"]
    by_id = {(f["rule"], f["key"]): f for f in data["findings"]}
    pop = by_id[POPULATION]
    assert pop["status"] == "fail" and pop["imbalance"] == pytest.approx(456_250, rel=1e-9)
    assert sorted(x["published"] for x in pop["facts"]) == ["11,702.1 miles", "57,073.9 miles", "69,232.4 miles"]
    assert all({"concept", "period", "value", "scale", "decimals", "source", "locator"} <= set(x)
               for f in data["findings"] for x in f["facts"])
    assert not [f for f in data["findings"] if f["rule"].startswith("backend.")], "Pandera and GX disagree"
    assert any(f["status"] == "pass" for f in data["findings"])  # passing instances are listed too


def test_junit_names_the_failing_rule(bundle_run: Path) -> None:
    root = ET.parse(bundle_run / "j.xml").getroot()
    failures = {c.get("name"): c.find("failure") for c in root.iter("testcase") if c.find("failure") is not None}
    assert POPULATION[0] in failures
    assert "69,232.4 miles" in (failures[POPULATION[0]].text or "")


def test_data_docs_are_self_contained(bundle_run: Path) -> None:
    pages = list((bundle_run / "site").rglob("*.html"))
    assert (bundle_run / "site" / "index.html").exists() and (bundle_run / "site" / "gx" / "index.html").exists()
    for page in pages:
        assert remote_assets(page.read_text(encoding="utf-8")) == [], page
    suite = next((bundle_run / "site" / "gx" / "expectations").glob("*.html")).read_text(encoding="utf-8")
    assert "La población cubierta es la suma" in suite and "000_18269b3800bc8850.txt:38" in suite


def _copy(tmp_path: Path) -> Path:
    dst = tmp_path / "reports"
    shutil.copytree(BUNDLE, dst)
    return dst


def test_broken_copy_exits_2_with_cell_address(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _copy(tmp_path)
    f = data / "000_18269b3800bc8850.csv"
    lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",3578315.1,", ',"3,57,8315.1",', 1)
    lines[2] = lines[2].replace("ingresos.cuotas_obrero_patronales,", "ingresos.no_registrado,", 1)
    f.write_text("".join(lines), encoding="utf-8")
    before = f.read_bytes()
    assert main(["validate", str(data), "--backend", "pandera", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{f}:2:value: value '3,57,8315.1' does not parse" in err
    assert f"{f}:3:concept: unknown concept 'ingresos.no_registrado'" in err
    assert "Traceback" not in err and f.read_bytes() == before
    f.write_text("".join([lines[0], lines[3].replace(",9279737.9,", ",9,279,737.9,", 1), lines[4]]),
                 encoding="utf-8")
    assert main(["validate", str(f), "--backend", "pandera", "--quiet"]) == 2
    assert f"{f}:2: expected 13 cells as in the header, found 15" in capsys.readouterr().err


def test_bad_rule_exits_2_with_yaml_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = tmp_path / "r.yaml"
    r.write_text("- id: x.y\n  titulo: t\n  kind: suma\n  fuentes: ['000_18269b3800bc8850.txt:1']\n"
                 "  expr: pensiones.total.monto == open('x')\n", encoding="utf-8")
    assert main(["validate", str(BUNDLE / "000_18269b3800bc8850.csv"), "--rules", str(r), "--quiet"]) == 2
    assert f"{r}:5" in capsys.readouterr().err


def test_injected_fault_is_a_new_failure(tmp_path: Path) -> None:
    """A ×1000 slip in a fact of a passing sum makes that sum fail (exit 1 with the finding)."""
    data = _copy(tmp_path)
    f = data / "000_18269b3800bc8850.csv"
    text = f.read_text(encoding="utf-8").replace(",329989811.5,MXN,3,", ",329989811.5,MXN,6,", 1)
    f.write_text(text, encoding="utf-8")
    assert main(["validate", str(data), "--backend", "pandera", "--json", str(tmp_path / "f.json"),
                 "--quiet"]) == 1
    found = {(x["rule"], x["key"]): x["status"] for x in json.loads((tmp_path / "f.json").read_text())["findings"]}
    assert found[("pensiones.total.monto.suma", "2020@000_18269b3800bc8850.txt")] == "fail"


def test_module_entry_point_and_clean_exit(tmp_path: Path) -> None:
    """A dataset whose rules all hold exits 0 from a fresh interpreter."""
    src = (BUNDLE / "000_18269b3800bc8850.csv").read_text(encoding="utf-8").splitlines()
    keep = [src[0]] + [ln for ln in src[1:] if ln.startswith("pensiones.")]
    (tmp_path / "p.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "cuadra", "validate", str(tmp_path / "p.csv"), "--backend",
                        "pandera", "--quiet"], capture_output=True, text=True, check=False, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_reference_table_is_read_beside_the_dataset(tmp_path: Path) -> None:
    """INEGI's INPC (fixtures/reference/) backs the real/nominal rules; --no-reference drops it."""
    rule, key = "ref.inpc.inflacion_2020.cuotas_obrero_patronales_000", "2020"
    one = BUNDLE / "000_18269b3800bc8850.csv"
    statuses = {}
    for flag in ([], ["--no-reference"]):
        out = tmp_path / f"f{len(flag)}.json"
        main(["validate", str(one), "--backend", "pandera", "--json", str(out), "--quiet", *flag])
        found = {(x["rule"], x["key"]): x for x in json.loads(out.read_text())["findings"]}
        statuses[bool(flag)] = found[(rule, key)]
    assert statuses[False]["status"] == "pass"
    assert {f["source"] for f in statuses[False]["facts"]} == {"000_18269b3800bc8850.txt", "900_3b5c010bc114be21.txt"}
    assert statuses[True]["status"] == "indeterminate"


def _hrefs(html: str) -> tuple[list[str], set[str]]:
    """Every href/src and every id of a page (enough HTML parsing for a link check)."""
    refs = re.findall(r"""\s(?:href|src)\s*=\s*["']([^"']*)["']""", html)
    ids = set(re.findall(r"""\sid\s*=\s*["']([^"']*)["']""", html))
    return [unescape(r) for r in refs], {unescape(i) for i in ids}


def test_issue_16_every_link_of_the_site_resolves(bundle_run: Path) -> None:
    """Issue 16: a link check over the whole site, ours and GX's: files and anchors exist.

    Absolute links are allowed only where they are the original documents' public addresses
    (documents.yaml) and, in GX's pages, GX's own passive links to its documentation.
    """
    site = bundle_run / "site"
    urls = {d.url for d in load_documents(DEFAULT_DOCUMENTS).values() if d.url}
    pages = {p.resolve(): _hrefs(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")}
    assert len(pages) > 100
    checked = 0
    for page, (refs, _) in pages.items():
        in_gx = "gx" in page.relative_to(site.resolve()).parts
        for ref in refs:
            if re.match(r"^[a-z]+:", ref):
                assert ref in urls or (in_gx and ref.startswith(("https://", "http://", "mailto:"))), \
                    f"{page}: absolute link {ref}"
                continue
            target, _, anchor = ref.partition("#")
            dest = (page.parent / target).resolve() if target else page
            assert dest.exists(), f"{page}: broken link {ref}"
            if anchor and dest in pages and not in_gx:
                assert anchor in pages[dest][1], f"{page}: missing anchor {ref}"
            checked += 1
    assert checked > 1000


def test_issue_16_index_counts_and_verdict_equal_the_json(bundle_run: Path) -> None:
    data = json.loads((bundle_run / "f.json").read_text(encoding="utf-8"))
    html = (bundle_run / "site" / "index.html").read_text(encoding="utf-8")
    cells = {(sev, st): int(n) for sev, st, n in
             re.findall(r"data-severity='(\w+)' data-status='(\w+)'>(\d+)</td>", html)}
    expected = Counter((f["severity"], f["status"]) for f in data["findings"])
    assert cells and {k: v for k, v in cells.items() if v} == dict(expected)
    assert sum(cells.values()) == data["summary"]["instances"]
    blocking = sum(f["status"] in ("fail", "error") and f["severity"] == "error" for f in data["findings"])
    assert blocking > 0 and f"<b>FALLA</b>: {blocking} hallazgos con severidad ≥ error" in html
    # Document titles beside their ids, units beside figures.
    assert "Informe al Ejecutivo Federal y al Congreso de la Unión" in html and "(personas)" in html


def test_issue_16_manifest_names_every_input_with_its_sha256(bundle_run: Path) -> None:
    manifest = json.loads((bundle_run / "site" / "manifest.json").read_text(encoding="utf-8"))
    page = (bundle_run / "site" / "manifiesto.html").read_text(encoding="utf-8")
    by_path = {i["ruta"]: i["sha256"] for i in manifest["entradas"]}
    project = project_paths()
    inputs = [*BUNDLE.glob("*.csv"), *project.rules, *project.registry, project.waivers, *project.reference,
              *(ROOT / "fixtures" / "sources").glob("*.txt"), ROOT / "fixtures" / "documents.yaml"]
    assert len(inputs) > 20
    for path in inputs:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert by_path[path.resolve().relative_to(ROOT).as_posix()] == digest, path
        assert digest in page, path
    assert manifest["opciones"]["fail_on"] == "error" and manifest["opciones"]["backends"] == "pandera,gx"
    assert "--docs" in manifest["linea_de_comandos"] and manifest["version"]


def test_issue_16_gx_pages_count_what_cuadra_counts(bundle_run: Path) -> None:
    """GX: an expectation (a family of rules, issue 17) fails only when one of its rules has a failing
    instance (not indeterminate, not waived); each rule's line in it carries that rule's counts."""
    from cuadra.engine import load_project
    from cuadra.rules.catalogue import BUILTINS
    from expectations.suite import family

    data = json.loads((bundle_run / "f.json").read_text(encoding="utf-8"))
    failing_rules = {f["rule"] for f in data["findings"] if f["status"] in ("fail", "error")}
    by_id = {**BUILTINS, **{r.id: r for r in load_project(project_paths())[1]}}
    families = {family(r) for r in by_id.values()}
    failing_families = {family(by_id[rid]) for rid in failing_rules}
    assert 10 < len(families) < 40 and len(failing_families) < len(failing_rules)  # tens, not 716
    page = next((bundle_run / "site" / "gx" / "validations").rglob("*.html")).read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))
    assert f"Unsuccessful Expectations {len(failing_families)} " in text
    assert f"Evaluated Expectations {len(families) + 9} " in text  # and the contract's nine
    dup = Counter(f["status"] for f in data["findings"] if f["rule"] == "duplicado")
    assert f"[duplicado] {dup['fail']} no cumplen, {dup['waived']} dispensadas" in text
    # One ✗ line per failing catalogue rule (the built-ins are expectations of their own).
    assert page.count("class='cuadra-falla'") == len(failing_rules - set(BUILTINS))
    pop = Counter(f["status"] for f in data["findings"] if f["rule"] == POPULATION[0])
    assert f"✗ {pop['fail']} no cumplen, {pop['pass']} cumplen. La población cubierta es la suma" in text
    assert "id='regla-poblacion_derechohabiente.cubierta.suma'" in page and "Estas páginas las genera" in page
    assert page.count("id='regla-") == len(by_id)  # every rule can be linked to


def test_issue_16_coverage_and_waiver_pages(bundle_run: Path) -> None:
    data = json.loads((bundle_run / "f.json").read_text(encoding="utf-8"))
    site = bundle_run / "site"
    coverage = (site / "cobertura.html").read_text(encoding="utf-8")
    indeterminate = [f for f in data["findings"] if f["status"] == "indeterminate"]
    assert f"Instancias indeterminadas ({len(indeterminate)})" in coverage
    for f in indeterminate:
        assert escape(f["reason"], quote=True) in coverage
    waivers = (site / "dispensas.html").read_text(encoding="utf-8")
    assert waivers.count("class='panel waiver'") == len(load_waivers(project_paths().waivers))
    assert "aprobada por" in waivers and "vence" in waivers and "es el truncamiento de 253,957" in waivers
    # The rough edges: no backwards interval, no English leftovers.
    pages = "".join(p.read_text(encoding="utf-8") for p in (site / "hallazgos").glob("*.html"))
    assert "[78.25, 70.85]" not in pages and "built-in" not in pages and "lee(published)" not in pages
    assert "instancia(s)" not in "".join(p.read_text(encoding="utf-8") for p in (site / "documentos").glob("*.html"))
