"""Issue 15, item 2: data is escaped for every medium cuadra writes.

A hostile corpus (markup in a rule title and a quote, a script URL as source, a source with line
breaks that forges a Markdown heading and opens an HTML comment, @mentions and remote images) is
validated with both backends into the Data Docs, JUnit and JSON, and gated into Markdown; no output
may carry the payloads raw, and GX's pages must stay offline, stylesheets included.
"""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from rich.console import Console

from cuadra.escape import md_text, spreadsheet_cell, unspreadsheet_cell, xml_text
from expectations.docs import offline_problems
from hostile.corpus import FORBIDDEN, IMG, JS, XSS, Project, rows, rule_yaml

FORGED = "doc.txt\n## ✅ **sin hallazgos nuevos**\n<!--"
QUOTE = f"{IMG} @octocat ![x](https://evil.example/p.png) [clic]({JS}) {XSS}"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, int]]:
    project = Project(tmp_path_factory.mktemp("hostile"))
    project.rules = project.write("rules.yaml", rule_yaml(titulo=f'"Suma {XSS} {IMG} $styling {JS}"'))
    base = project.facts(rows(), name="base.csv")
    # The total is off (a failing instance), so the hostile facts reach every output.
    head = project.facts(rows({"value": "9.9", "quote": QUOTE}, source=FORGED), name="head.csv")
    from cuadra.cli import main

    out = project.out
    codes = {
        "validate": main(project.validate(head, "--docs", str(out / "site"), "--json", str(out / "f.json"),
                                          "--junit", str(out / "j.xml"), backend="both")),
        "gate": main(["gate", str(base), str(head), *project.args("--markdown", str(out / "pr.md"), "--junit",
                                                                  str(out / "g.xml"), "--json", str(out / "g.json"))]),
    }
    return project, codes


def _outputs(out: Path) -> dict[Path, str]:
    files = [*out.rglob("*.html"), *out.rglob("*.md"), *out.rglob("*.xml")]
    return {f: f.read_text(encoding="utf-8") for f in files}


def test_no_output_carries_markup_raw(hostile: tuple[Project, dict[str, int]]) -> None:
    project, codes = hostile
    assert codes == {"validate": 1, "gate": 1}
    outputs = _outputs(project.out)
    assert any(p.parent.name == "gx" or "gx" in p.parts for p in outputs), "GX pages were written"
    assert any(p.suffix == ".md" for p in outputs) and any(p.suffix == ".xml" for p in outputs)
    for path, text in outputs.items():
        low = text.lower()
        for bad in FORBIDDEN:
            assert bad not in low, f"{path}: {bad}"


def test_gx_pages_are_offline_css_included(hostile: tuple[Project, dict[str, int]]) -> None:
    project, _ = hostile
    site = project.out / "site"
    assert list(site.rglob("*.css")), "GX wrote stylesheets"
    assert offline_problems(site) == []
    assert "full_logo_dark.png" not in "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


def test_markdown_cannot_forge_structure(hostile: tuple[Project, dict[str, int]]) -> None:
    project, _ = hostile
    md = (project.out / "pr.md").read_text(encoding="utf-8")
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings[0].startswith("## cuadra gate: ❌")
    assert not any("sin hallazgos nuevos" in h for h in headings)
    assert "<!--" not in md and "![" not in md
    assert "@octocat" not in md  # a word joiner follows the @: nobody is notified


def test_junit_is_well_formed(hostile: tuple[Project, dict[str, int]]) -> None:
    project, _ = hostile
    for name in ("j.xml", "g.xml"):
        ET.parse(project.out / name)  # parses: no illegal character, markup escaped


def test_escapers_unit() -> None:
    assert "\n" not in md_text("a\nb\r\nc\u2028d")
    assert md_text("<!-- x").startswith("&lt;\\!--")
    assert xml_text("a\x00b\x0cc") == "a\ufffdb\ufffdc"
    for cell in ("=HYPERLINK(\"http://x\")", "+1+1", "-1+1", "@SUM(A1)", "'=x", "-0.8", "texto", "''"):
        written = spreadsheet_cell(cell)
        assert not written.startswith(("=", "+", "@")) and unspreadsheet_cell(written) == cell
    assert spreadsheet_cell("-0.8") == "-0.8"  # a number stays a number


def test_terminal_shows_markup_as_text(tmp_path: Path) -> None:
    from cuadra.findings import Finding, Run
    from cuadra.report.terminal import print_summary

    f = Finding(rule="r", kind="suma", key="2020", period="2020", status="fail", severity="error",
                titulo="t", expr="", fuentes=(), lhs=(1.0, 1.0), rhs=(2.0, 2.0), imbalance=1.0,
                imbalance_rel=0.5, reason="[red]rojo[/red]", facts=())
    run_ = Run([f], "[bold]x[/bold]", "0", "", 0.0, "", "", ("pandera",), 1, 1, ["[blink]w[/blink]"])
    console = Console(record=True, width=200)
    print_summary(run_, console)
    text = console.export_text()
    assert "[bold]x[/bold]" in text and "[blink]w[/blink]" in text
