"""The evidence site (issue 6), rendered from hand-built Runs: fast, no validation run needed.

The full bundle through ``cuadra validate --docs`` is covered by tests/test_cli.py, and in a real
browser, offline, by tests/test_docs_browser.py (slow).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract.registry import Concept, Registry, Unit
from cuadra.findings import FactRef, Finding, Run
from cuadra.report.documents import Document, PageMark
from cuadra.report.site import doc_slug, finding_slug, render_site
from cuadra.report.site.common import interval, num
from cuadra.report.site.words import in_words, parse_or_none
from cuadra.waivers import Waiver
from expectations.docs import build_site
from expectations.docs import main as check_site
from expectations.offline import remote_assets

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "fixtures" / "sources"
DOC = "000_18269b3800bc8850.txt"
RULE = "poblacion_derechohabiente.cubierta.suma"
KEY = f"2020-12@{DOC}"
EXPR = ("poblacion_derechohabiente.cubierta == poblacion_derechohabiente.adscrita + "
        "poblacion_derechohabiente.beneficiarios_no_adscritos")


def _fact(concept: str, value: float, line: int, quote: str, published: str, row: int) -> FactRef:
    return FactRef(fact_id=f"000_18269b3800bc8850.csv:{row}", concept=concept, period="2020-12", value=value,
                   scale=3, decimals=1, rounding="nearest", source=DOC, locator=str(line), quote=quote,
                   published=published, lo=(value - 0.05) * 1000, hi=(value + 0.05) * 1000)


POP_FACTS = (
    _fact("poblacion_derechohabiente.adscrita", 57073.9, 38,
          "Al cierre de 2020, en el IMSS se alcanzó un registro de 57,073.9 miles de derechohabientes adscritos",
          "57,073.9 miles", 10),
    _fact("poblacion_derechohabiente.beneficiarios_no_adscritos", 11702.1, 38,
          "los 11,702.1 miles de beneficiarios no adscritos", "11,702.1 miles", 11),
    _fact("poblacion_derechohabiente.cubierta", 69232.4, 38,
          "la población cubierta en el mes de diciembre suma 69,232.4 miles de derechohabientes",
          "69,232.4 miles", 12),
)


def _finding(rule: str = RULE, key: str = KEY, status: str = "fail", facts: tuple[FactRef, ...] = POP_FACTS,
             **kw: object) -> Finding:
    base = dict(rule=rule, kind="suma", key=key, period="2020-12", status=status, severity="error",
                titulo="La población cubierta es la suma de adscritos y beneficiarios no adscritos", expr=EXPR,
                fuentes=(f"{DOC}:38",), lhs=(69_232_350.0, 69_232_450.0), rhs=(68_775_900.0, 68_776_100.0),
                imbalance=456_250.0, imbalance_rel=0.00659, reason="", facts=facts)
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def _run(findings: list[Finding]) -> Run:
    return Run(findings=findings, dataset="fixtures/reports", version="0.1.0", started="2026-01-02T03:04:05+00:00",
               seconds=1.5, catalogue_hash="abc", dataset_hash="def", backends=("pandera", "gx"), n_rules=4,
               n_facts=3, expired_waivers=["waivers.yaml:3: waiver for x 2020 matches no failing instance"])


REGISTRY = Registry(units={"personas": Unit("personas", "personas")}, concepts={
    c: Concept(c, label, "", "personas", "stock") for c, label in (
        ("poblacion_derechohabiente.cubierta", "Población cubierta"),
        ("poblacion_derechohabiente.adscrita", "Población adscrita"),
        ("poblacion_derechohabiente.beneficiarios_no_adscritos", "Beneficiarios no adscritos"))})

HOSTILE = "<script>alert('x')</script><img src=http://evil.example/p.png>"


def _site(tmp_path: Path) -> Path:
    passing = _finding(rule="publicado", key="000_18269b3800bc8850.csv:10", status="pass", facts=POP_FACTS[:1],
                       kind="publicado", expr="lectura(texto publicado) = (valor, escala, decimales)", fuentes=(),
                       titulo="La cifra publicada se lee como el valor registrado")
    waived = _finding(key="2019-12@" + DOC, status="waived", waiver="Nota del informe: cifras preliminares "
                      "(waivers.yaml:2, 2026-01-01)", period="2019-12",
                      facts=tuple(_fact(f.concept, f.value or 0, 38, f.quote, f.published, 1)
                                  for f in POP_FACTS))
    hostile = _finding(rule="hostil.suma", key="2020-12@" + DOC, titulo=HOSTILE,
                       facts=(_fact("poblacion_derechohabiente.adscrita", 1.0, 38, HOSTILE, HOSTILE, 99),),
                       reason=HOSTILE)
    indet = _finding(rule="ingresos.diferencia", key="2020", status="indeterminate", period="2020",
                     expr="a.x == a.y - a.y[t-1]", facts=(), reason="falta un operando", lhs=(None, None),
                     rhs=(None, None), imbalance=None, imbalance_rel=None)
    run = _run([_finding(), passing, waived, hostile, indet])
    return render_site(run, tmp_path / "site", registry=REGISTRY, sources_dir=SOURCES,
                       gx_index="gx/index.html", gx_validation="gx/validations/x.html").parent


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for k in ("href", "src"):
            if a.get(k):
                self.refs.append(a[k] or "")
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "script":
            self.scripts.append(a.get("src") or "inline")


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_issue_6_finding_page_shows_rule_figures_intervals_and_quotes(tmp_path: Path) -> None:
    site = _site(tmp_path)
    text = (site / "hallazgos" / finding_slug(RULE, KEY)).read_text(encoding="utf-8")
    assert "no cumple" in text and "Población cubierta</em> es igual a <em>Población adscrita</em> más" in text
    for f in POP_FACTS:
        assert f.published in text and f.quote in text
    # Each operand's interval and how it follows from one published decimal in miles.
    assert "[57,073,850, 57,073,950]" in text and "Publicada con 1 decimal, en miles" in text
    assert "[69,232,350, 69,232,450]" in text and "[68,775,900, 68,776,100]" in text and "456,250" in text
    assert "0.659 %" in text and "lado derecho: <b>B</b> + <b>C</b>" in text
    assert f"../fuentes/{doc_slug(DOC)}#L38" in text and "la cita está en esa línea" in text
    assert "../gx/validations/x.html" in text


def test_issue_6_every_internal_link_resolves(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "gx" / "validations").mkdir(parents=True)
    (site / "gx" / "index.html").write_text("gx")
    # A GX stand-in with the anchor expectations.docs gives each rule's expectation.
    anchors = "".join(f"<span id='regla-{r}'></span>" for r in ("poblacion_derechohabiente.cubierta.suma",
                      "publicado", "hostil.suma", "ingresos.diferencia"))
    (site / "gx" / "validations" / "x.html").write_text(f"<html><body>{anchors}</body></html>")
    pages = sorted(site.rglob("*.html"))
    parsed = {p: _parse(p) for p in pages}
    for page, links in parsed.items():
        for ref in links.refs:
            assert not re.match(r"^[a-z]+:", ref), f"{page}: absolute link {ref}"
            target, _, anchor = ref.partition("#")
            dest = (page.parent / target).resolve() if target else page
            assert dest.exists(), f"{page}: broken link {ref}"
            if anchor and dest.suffix == ".html" and dest in parsed:
                assert anchor in parsed[dest].ids, f"{page}: missing anchor {ref}"


def test_issue_6_untrusted_text_is_escaped_and_no_remote_asset(tmp_path: Path) -> None:
    site = _site(tmp_path)
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=http" not in html, page
        assert remote_assets(html) == [], page
        assert not [r for r in _parse(page).refs if r.lower().startswith(("http:", "https:", "//"))], page
        assert _parse(page).scripts == ["../" * (len(page.relative_to(site).parts) - 1) + "assets/cuadra.js"]
    hostile = (site / "hallazgos" / finding_slug("hostil.suma", "2020-12@" + DOC)).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in hostile


def test_issue_6_index_counts_filters_and_links(tmp_path: Path) -> None:
    site = _site(tmp_path)
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "cuadra 0.1.0" in html and "2026-01-02T03:04:05+00:00" in html and "fixtures/reports" in html
    for name in ("status", "severity", "doc", "kind", "q"):
        assert f"data-filter='{name}'" in html
    rows = re.findall(r"<tr data-status='(\w+)'", html)
    assert sorted(rows) == ["fail", "fail", "indeterminate", "waived"]  # the passing one is not listed here
    assert f"hallazgos/{finding_slug(RULE, KEY)}" in html and "gx/index.html" in html
    assert f"documentos/{doc_slug(DOC)}" in html and "href='dispensas.html'" in html
    assert "<option value='(sin documento)'>" in html  # the instance with no figures still has a home


def test_issue_6_document_page_lists_passing_rules(tmp_path: Path) -> None:
    site = _site(tmp_path)
    html = (site / "documentos" / doc_slug(DOC)).read_text(encoding="utf-8")
    assert "Reglas que cumple (1)" in html and "La cifra publicada se lee como el valor registrado" in html
    assert "000_18269b3800bc8850.csv:10" in html and finding_slug(RULE, KEY) in html


def test_issue_6_waiver_and_indeterminate_are_explained(tmp_path: Path) -> None:
    site = _site(tmp_path)
    waived = (site / "hallazgos" / finding_slug(RULE, "2019-12@" + DOC)).read_text(encoding="utf-8")
    assert "Dispensa" in waived and "Nota del informe: cifras preliminares (waivers.yaml:2, 2026-01-01)" in waived
    indet = (site / "hallazgos" / finding_slug("ingresos.diferencia", "2020")).read_text(encoding="utf-8")
    assert "indeterminado" in indet and "falta un operando" in indet and "operando faltante" in indet


def test_issue_6_source_pages_have_line_anchors(tmp_path: Path) -> None:
    site = _site(tmp_path)
    src = site / "fuentes" / doc_slug(DOC)
    ids = _parse(src).ids
    n = len((SOURCES / DOC).read_text(encoding="utf-8").split("\n"))
    assert {f"L{i}" for i in range(1, n + 1)} <= ids
    assert "57,073.9 miles de derechohabientes adscritos" in src.read_text(encoding="utf-8")


def test_issue_6_rebuild_removes_stale_finding_pages(tmp_path: Path) -> None:
    site = _site(tmp_path)
    render_site(_run([_finding()]), site, registry=REGISTRY, sources_dir=SOURCES)
    assert sorted(p.name for p in (site / "hallazgos").iterdir()) == [finding_slug(RULE, KEY)]


def test_issue_6_missing_source_texts_degrade_to_plain_locators(tmp_path: Path) -> None:
    index = render_site(_run([_finding()]), tmp_path / "s", sources_dir=tmp_path / "nowhere")
    text = (index.parent / "hallazgos" / finding_slug(RULE, KEY)).read_text(encoding="utf-8")
    assert "texto fuente no disponible" in text and "poblacion_derechohabiente.cubierta" in text


@pytest.mark.parametrize(("expr", "words"), [
    ("a.t == a.x + a.y", "<em>T</em> es igual a <em>X</em> más <em>Y</em>."),
    ("(a.t / a.t[t-1] - 1) * 100 == a.g",
     "(<em>T</em> entre <em>T del año anterior</em> menos 1) por 100 es igual a <em>a.g</em>."),
    ("a.x - (a.y + a.t) <= a.g", "<em>X</em> menos (<em>Y</em> más <em>T</em>) es menor o igual que <em>a.g</em>."),
    ("sum(a.x, a.y) >= abs(a.t)",
     "la suma de <em>X</em> y <em>Y</em> es mayor o igual que el valor absoluto de <em>T</em>."),
])
def test_issue_6_rules_in_words(expr: str, words: str) -> None:
    tree = parse_or_none(expr)
    assert tree is not None
    assert in_words(tree, {"a.t": "T", "a.x": "X", "a.y": "Y"}) == words


def test_issue_6_builtin_pseudo_formulas_are_not_parsed() -> None:
    assert parse_or_none("lectura(texto publicado) = (valor, escala, decimales)") is None


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_issue_6_numbers_print_like_the_reports(x: float) -> None:
    text = num(x)
    assert re.fullmatch(r"−?\d{1,3}(,\d{3})*(\.\d+)?", text), text
    assert float(text.replace(",", "").replace("−", "-")) == pytest.approx(x, rel=1e-11, abs=1e-15)


def test_issue_6_float_noise_does_not_reach_the_auditor() -> None:
    assert interval(69232349.99999993, 69232450.00000006) == "[69,232,350, 69,232,450]"
    assert interval(None, None) == "—" and interval(5.0, 5.0) == "{5}"


def test_issue_6_site_check_flags_a_remote_asset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = _site(tmp_path)
    assert check_site([str(site)]) == 0 and "self-contained" in capsys.readouterr().out
    (site / "gx").mkdir()
    (site / "gx" / "index.html").write_text(
        "<link rel='stylesheet' href='https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css'>")
    assert check_site([str(site)]) == 1 and "bootstrapcdn" in capsys.readouterr().out
    assert check_site([str(tmp_path / "nothing")]) == 2 and "usage" in capsys.readouterr().err


def test_issue_6_duplicate_page_intersects_the_declarations(tmp_path: Path) -> None:
    other = FactRef(fact_id="001_ecf9940b1a895e3b.csv:35", concept="poblacion_derechohabiente.cubierta",
                    period="2020-12", value=68_659_149.0, scale=0, decimals=0, rounding="exact",
                    source="001_ecf9940b1a895e3b.txt", locator="101-102",
                    quote="alcanza las 68'659,149 personas al cierre de 2020", published="68'659,149",
                    lo=68_659_149.0, hi=68_659_149.0)
    dup = _finding(rule="duplicado", kind="duplicado", key="poblacion_derechohabiente.cubierta|2020-12",
                   expr="∩ intervalos(concepto, periodo) ≠ ∅", facts=(POP_FACTS[2], other), fuentes=())
    index = render_site(_run([dup]), tmp_path / "s", registry=REGISTRY, sources_dir=SOURCES)
    text = (index.parent / "hallazgos" / finding_slug(dup.rule, dup.key)).read_text(encoding="utf-8")
    assert "[69,232,350, 69,232,450]</span> ∩ <span class='iv'>{68,659,149}</span> = ∅" in text
    assert "Cifra exacta" in text and f"fuentes/{doc_slug('001_ecf9940b1a895e3b.txt')}#L101-L102" in text
    assert "mayor límite inferior de las declaraciones" in text
    # The range anchor has a target of its own, so it scrolls even with scripting off.
    source_page = index.parent / "fuentes" / doc_slug("001_ecf9940b1a895e3b.txt")
    assert "id='L101-L102'" in source_page.read_text(encoding="utf-8")


def test_issue_6_build_site_links_gx_both_ways(tmp_path: Path) -> None:
    site = tmp_path / "site"
    val = site / "gx" / "validations" / "cuadra" / "20260101T000000Z" / "v.html"
    val.parent.mkdir(parents=True)
    (site / "gx" / "index.html").write_text("<html><body class='x'><p>gx</p></body></html>", encoding="utf-8")
    val.write_text("<html><body><p>run</p></body></html>", encoding="utf-8")
    for _ in range(2):  # a rebuild must not stack a second link
        index = build_site(_run([_finding()]), site, registry=REGISTRY, sources_dir=SOURCES)
    html = index.read_text(encoding="utf-8")
    assert "href='gx/index.html'" in html and "href='gx/validations/cuadra/20260101T000000Z/v.html'" in html
    assert f"'../gx/validations/cuadra/20260101T000000Z/v.html#regla-{RULE}'" in \
        (site / "hallazgos" / finding_slug(RULE, KEY)).read_text(encoding="utf-8")
    assert val.read_text(encoding="utf-8").count("href='../../../../index.html'") == 1
    assert (site / "gx" / "index.html").read_text(encoding="utf-8").count("href='../index.html'") == 1
    assert (site / "gx" / "static" / "vendor" / "bootstrap.min.css").is_file()


def test_issue_16_expired_waiver_is_named_on_index_finding_and_waiver_page(tmp_path: Path) -> None:
    """Issue 16: a waiver past its date gives its finding back, and every page names it as expired."""
    values = tuple(sorted(f.value or 0 for f in POP_FACTS))
    expired = Waiver(RULE, KEY, values, "Justificación de prueba", "2025-12-01", "waivers.yaml:2",
                     aprobado_por="equipo de prueba", vence="2026-01-01")  # the run is on 2026-01-02
    site = render_site(_run([_finding()]), tmp_path / "site", registry=REGISTRY, sources_dir=SOURCES,
                       waivers=[expired]).parent
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "dispensa vencida" in index and "1 vencida" in index
    page = (site / "hallazgos" / finding_slug(RULE, KEY)).read_text(encoding="utf-8")
    assert "Dispensa vencida" in page and "venció el 2026-01-01" in page and "equipo de prueba" in page
    waivers = (site / "dispensas.html").read_text(encoding="utf-8")
    assert "vencida (fecha)" in waivers and "Justificación de prueba" in waivers


def test_issue_16_citations_carry_the_page_and_titles_stand_beside_ids(tmp_path: Path) -> None:
    docs = {DOC: Document(DOC, "Resumen de resultados", marks=(PageMark(30, 12),))}
    site = render_site(_run([_finding()]), tmp_path / "site", registry=REGISTRY, sources_dir=SOURCES,
                       documents=docs).parent
    page = (site / "hallazgos" / finding_slug(RULE, KEY)).read_text(encoding="utf-8")
    assert "p. 12 o siguientes, línea 38" in page
    assert "Resumen de resultados" in (site / "index.html").read_text(encoding="utf-8")
    source = (site / "fuentes" / doc_slug(DOC)).read_text(encoding="utf-8")
    assert "id='p12'" in source and f"../hallazgos/{finding_slug(RULE, KEY)}" in source


def test_issue_16_coverage_separates_facts_no_rule_names_from_facts_without_instance() -> None:
    import pandas as pd

    from cuadra.report.site.coverage import coverage_of
    from cuadra.rules.catalogue import Rule as CatalogueRule
    from cuadra.rules.syntax import parse_expr

    rule = CatalogueRule(id=RULE, titulo="t", expr=EXPR, kind="suma", severity="error", ess_level=1,
                         fuentes=(), origin="r.yaml:1", tree=parse_expr(EXPR))
    facts = pd.DataFrame([
        {"fact_id": f.fact_id, "concept": f.concept, "period": f.period, "published": f.published, "value": f.value,
         "source": f.source, "locator": f.locator, "quote": f.quote} for f in POP_FACTS]
        + [{"fact_id": "x:1", "concept": "otro.concepto", "period": "2020", "published": "5", "value": 5.0,
            "source": DOC, "locator": "3", "quote": "5"},
           {"fact_id": "x:2", "concept": POP_FACTS[0].concept, "period": "2019-12", "published": "1", "value": 1.0,
            "source": DOC, "locator": "4", "quote": "1"}])
    cov = coverage_of([_finding()], [rule], facts)
    assert cov.n_facts == 5
    assert {x["fact_id"]: x["sin_regla"] for x in cov.unchecked} == {"x:1": True, "x:2": False}


def test_issue_13_template_instance_page_names_its_template_and_bindings(tmp_path: Path) -> None:
    """An auditor reading a finding expanded from a template sees which template and which concepts."""
    import csv

    from cuadra.cli import main

    src = ROOT / "tests" / "fixtures" / "series_imss" / "puestos_afiliados.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    share = next(r for r in rows if r["concept"] == "afiliacion.puestos_trabajo.eventuales.participacion")
    share["value"] = share["published"] = "22.8"  # 87.2 + 22.8 = 110: the shares no longer add to 100
    data = tmp_path / "puestos.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out, site = tmp_path / "v.json", tmp_path / "site"
    assert main(["validate", str(data), "--backend", "pandera", "--json", str(out), "--docs", str(site),
                 "--quiet"]) == 1
    failing = [f for f in json.loads(out.read_text(encoding="utf-8"))["findings"]
               if f["status"] == "fail" and f["template"]]
    assert failing, "the broken shares must fail a template instance"
    pages = [p.read_text(encoding="utf-8") for p in (site / "hallazgos").glob("*.html")]
    named = [p for p in pages if "Instancia de la plantilla" in p]
    assert named and all(f"<code>{f['template']}</code>" in "".join(named) for f in failing)
