"""Issue 6, as a person would check it: the Data Docs of the whole bundle in headless Chromium,
opened from ``file://`` with the network disabled (tools/webdriver.py).

Slow (a full validation plus a browser): run with ``-m slow``; CI installs ``chromium`` and
``chromium-driver`` (.ci/run). Skipped, never passed silently, when no browser is installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from cuadra.cli import main
from cuadra.report.site import finding_slug
from cuadra.report.site.common import STATUS_ES

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "fixtures" / "reports"
POPULATION = ("poblacion_derechohabiente.cubierta.suma", "2020-12@000_18269b3800bc8850.txt")
ATTENTION = ("fail", "indeterminate", "waived", "error")


def _webdriver() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cuadra_webdriver", ROOT / "tools" / "webdriver.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


wd = _webdriver()
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not wd.browser_available() and os.environ.get("CUADRA_REQUIRE_BROWSER") != "1",
                                 reason="needs chromium and chromedriver")]

RESOURCES = "return performance.getEntriesByType('resource').map(function(r){return r.name})"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("docs")
    code = main(["validate", str(BUNDLE), "--docs", str(out / "site"), "--json", str(out / "f.json"), "--quiet"])
    assert code == 1
    findings = json.loads((out / "f.json").read_text(encoding="utf-8"))["findings"]
    return out / "site", findings


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with wd.Browser(width=1280, height=900) as b:
        yield b


def _offline(b: object) -> None:
    remote = [u for u in b.script(RESOURCES) if not u.startswith("file://")]  # type: ignore[attr-defined]
    assert remote == [], f"the page fetched from the network: {remote}"


def test_issue_6_index_lists_the_findings_and_filters_them(site: tuple[Path, list[dict]], browser: object) -> None:
    path, findings = site
    b = browser
    b.get(path.joinpath("index.html").as_uri())  # type: ignore[attr-defined]
    _offline(b)
    attention = [f for f in findings if f["status"] in ATTENTION]
    rows = b.script("return [].map.call(document.querySelectorAll('#findings tbody tr'),"  # type: ignore[attr-defined]
                    "function(r){return r.querySelector('a').getAttribute('href')})")
    assert sorted(rows) == sorted(f"hallazgos/{finding_slug(f['rule'], f['key'])}" for f in attention)
    n_fail = sum(f["status"] == "fail" for f in findings)
    shown = b.script("var s=document.querySelector(\"select[data-filter='status']\");"  # type: ignore[attr-defined]
                     "s.value='fail'; s.dispatchEvent(new Event('change'));"
                     "return [].filter.call(document.querySelectorAll('#findings tbody tr'),"
                     "function(r){return !r.hidden}).length")
    assert shown == n_fail > 0
    assert b.script("return document.getElementById('shown').textContent").startswith(f"{n_fail} de ")  # type: ignore[attr-defined]
    # A status card is a link that opens the table filtered by its status.
    n_ind = sum(f["status"] == "indeterminate" for f in findings)
    b.get(path.joinpath("index.html").as_uri() + "#f-indeterminate")  # type: ignore[attr-defined]
    assert b.script("return document.getElementById('shown').textContent") \
        == f"{n_ind} de {len(attention)} hallazgos"  # type: ignore[attr-defined]


def test_issue_6_population_finding_shows_its_figures_and_quotes(site: tuple[Path, list[dict]],
                                                                 browser: object) -> None:
    path, findings = site
    pop = next(f for f in findings if (f["rule"], f["key"]) == POPULATION)
    b = browser
    b.get((path / "hallazgos" / finding_slug(*POPULATION)).as_uri())  # type: ignore[attr-defined]
    _offline(b)
    text = b.script("return document.body.innerText")  # type: ignore[attr-defined]
    assert STATUS_ES[pop["status"]] in text and pop["status"] in ("fail", "waived")
    for fact in pop["facts"]:
        assert fact["published"] in text and fact["quote"] in text
    assert sorted(x["published"] for x in pop["facts"]) == ["11,702.1 miles", "57,073.9 miles", "69,232.4 miles"]
    assert "[69,232,350, 69,232,450]" in text and "[68,775,900, 68,776,100]" in text
    # The quote's link lands on the line of the source text that holds it.
    href = b.script("return document.querySelector('blockquote + .meta a').href")  # type: ignore[attr-defined]
    b.get(href)  # type: ignore[attr-defined]
    line = b.script("var l=document.querySelector('.l.hl')||document.querySelector(':target');"  # type: ignore[attr-defined]
                    "return l && l.innerText")
    assert line and "57,073.9 miles de derechohabientes adscritos" in line


def test_issue_6_screenshot_is_styled(site: tuple[Path, list[dict]], browser: object, tmp_path: Path) -> None:
    path, _ = site
    b = browser
    b.get(path.joinpath("index.html").as_uri())  # type: ignore[attr-defined]
    assert b.script("return getComputedStyle(document.querySelector('header.top')).backgroundColor") \
        == "rgb(11, 93, 117)"  # type: ignore[attr-defined]
    png = b.screenshot()  # type: ignore[attr-defined]
    (tmp_path / "index.png").write_bytes(png)
    px = wd.png_pixels(png)[..., :3].astype(int)
    h, w, _ = px.shape
    assert h > 300 and w > 600
    band = px[: max(8, h // 40)]
    assert (np.abs(band - [11, 93, 117]).sum(axis=2) < 30).mean() > 0.5, "the header band is not drawn"
    colours = {tuple(c) for c in px[:: 4, :: 4].reshape(-1, 3)}
    white = (px.sum(axis=2) > 740).mean()
    assert len(colours) > 50 and white < 0.9, "blank or unstyled page"


def test_issue_6_gx_data_docs_are_styled_offline(site: tuple[Path, list[dict]], browser: object) -> None:
    path, _ = site
    b = browser
    b.get((path / "gx" / "index.html").as_uri())  # type: ignore[attr-defined]
    _offline(b)
    assert b.script("return typeof jQuery !== 'undefined' && typeof jQuery.fn.bootstrapTable")  # type: ignore[attr-defined]
    sheets = b.script("return [].map.call(document.styleSheets, function(s){return s.href})")  # type: ignore[attr-defined]
    assert any(h and h.endswith("/static/vendor/bootstrap.min.css") for h in sheets), sheets
    # Bootstrap 4's reboot sets the body font stack: the vendored stylesheet was applied, not just linked.
    font = b.script("return getComputedStyle(document.body).fontFamily")  # type: ignore[attr-defined]
    assert "-apple-system" in font, font
    back = b.script("return document.querySelector('a[href=\\'../index.html\\']').textContent")  # type: ignore[attr-defined]
    assert "cuadra" in back


def _column(b: object, table: str, i: int) -> list[str]:
    return b.script(f"return [].map.call(document.querySelectorAll('{table} tbody tr'),"  # type: ignore[attr-defined]
                    f"function(r){{var c=r.cells[{i}]; var s=c.getAttribute('data-sort');"
                    f" return s!==null?s:c.textContent.trim()}})")


def test_issue_16_findings_table_sorts_by_a_clicked_column(site: tuple[Path, list[dict]], browser: object) -> None:
    path, findings = site
    b = browser
    b.get(path.joinpath("index.html").as_uri())  # type: ignore[attr-defined]
    n = sum(f["status"] in ATTENTION for f in findings)
    # Column 7 is the imbalance; data-sort holds its relative size ('' when there is none).
    b.script("document.querySelectorAll('#findings thead th')[7].click()")  # type: ignore[attr-defined]
    up = [float(x) for x in _column(b, "#findings", 7) if x]
    assert len(up) > 10 and up == sorted(up)
    assert b.script("return document.querySelectorAll('#findings thead th')[7].getAttribute('aria-sort')") \
        == "ascending"  # type: ignore[attr-defined]
    b.script("document.querySelectorAll('#findings thead th')[7].click()")  # type: ignore[attr-defined]
    down = [float(x) for x in _column(b, "#findings", 7) if x]
    assert down == sorted(up, reverse=True)
    # Sorting by rule reorders the rows, it never drops one.
    b.script("document.querySelectorAll('#findings thead th')[3].click()")  # type: ignore[attr-defined]
    rules = _column(b, "#findings", 3)
    assert len(rules) == n
    assert b.script("var r=arguments[0]; return r.every(function(x,i){"  # type: ignore[attr-defined]
                    "return i===0||r[i-1].localeCompare(x,'es')<=0})", rules)
    assert rules != sorted(rules, key=lambda s: s.lower(), reverse=True)


def test_issue_16_coverage_page_lists_what_was_not_checked(site: tuple[Path, list[dict]], browser: object) -> None:
    path, findings = site
    b = browser
    b.get(path.joinpath("index.html").as_uri())  # type: ignore[attr-defined]
    summary = b.script("return document.querySelector('ul.coverage').innerText")  # type: ignore[attr-defined]
    n_ind = sum(f["status"] == "indeterminate" for f in findings)
    assert f"{n_ind} instancias indeterminadas" in summary
    b.script("document.querySelector(\"a[href='cobertura.html']\").click()")  # type: ignore[attr-defined]
    _offline(b)
    text = b.script("return document.body.innerText")  # type: ignore[attr-defined]
    assert "Qué no se verificó" in text and f"Instancias indeterminadas ({n_ind})" in text
    assert "cifras duplicadas inconsistentes en un operando" in text and "falta un operando" in text
    quotes = b.script("return document.querySelectorAll('#cifras ~ table blockquote').length")  # type: ignore[attr-defined]
    assert quotes > 100


def test_issue_16_waiver_page_shows_signature_expiry_and_explanation(site: tuple[Path, list[dict]],
                                                                      browser: object) -> None:
    path, _ = site
    b = browser
    b.get(path.joinpath("dispensas.html").as_uri())  # type: ignore[attr-defined]
    _offline(b)
    panels = b.script("return [].map.call(document.querySelectorAll('.panel.waiver'),"  # type: ignore[attr-defined]
                      "function(p){return p.innerText})")
    assert len(panels) >= 5
    for p in panels:
        assert "aprobada por" in p and "vence" in p and "justificación" in p
    guarderias = next(p for p in panels if "guarderias.capacidad_instalada" in p)
    assert "explicación del motor" in guarderias and "es el truncamiento de 253,957" in guarderias
    # From the waiver to its finding page, and the finding names the waiver.
    b.script("document.querySelector('.panel.waiver a[href^=\"hallazgos/\"]').click()")  # type: ignore[attr-defined]
    assert "Dispensa" in b.script("return document.body.innerText")  # type: ignore[attr-defined]


def test_issue_16_no_horizontal_overflow_at_420_px(site: tuple[Path, list[dict]], tmp_path: Path) -> None:
    path, _ = site
    pages = [path / "index.html", path / "cobertura.html", path / "dispensas.html", path / "manifiesto.html",
             path / "hallazgos" / finding_slug(*POPULATION), *sorted((path / "fuentes").glob("*.html")),
             next((path / "documentos").glob("001_*.html")),
             max((path / "hallazgos").glob("*.html"), key=lambda p: len(p.name))]  # the longest rule id
    with wd.Browser(width=500, height=900) as b:
        # Headless Chromium's window is at least 500 px wide: the 420 px viewport is emulated, as a phone.
        b.cdp("Emulation.setDeviceMetricsOverride", {"width": 420, "height": 900, "deviceScaleFactor": 1,
                                                     "mobile": True})
        for page in pages:
            b.get(page.as_uri())
            assert b.script("return document.documentElement.clientWidth") == 420
            widths = b.script("var d=document.documentElement; return [d.scrollWidth, d.clientWidth]")
            assert widths[0] <= widths[1], f"{page.name} overflows at 420 px: {widths}"
        b.get((path / "index.html").as_uri())
        png = b.screenshot()
        (tmp_path / "index-420.png").write_bytes(png)
        assert wd.png_pixels(png).shape[1] <= 420


def test_issue_16_gx_link_lands_on_the_expectation(site: tuple[Path, list[dict]], browser: object) -> None:
    path, _ = site
    b = browser
    b.get((path / "hallazgos" / finding_slug(*POPULATION)).as_uri())  # type: ignore[attr-defined]
    href = b.script("return [].filter.call(document.querySelectorAll('a'),"  # type: ignore[attr-defined]
                    "function(a){return a.textContent.indexOf('Great Expectations')>=0})[0].href")
    assert href.endswith("#regla-" + POPULATION[0])
    b.get(href)  # type: ignore[attr-defined]
    _offline(b)
    target = b.script("var t=document.getElementById(location.hash.slice(1));"  # type: ignore[attr-defined]
                      "return t && t.parentElement.innerText")
    assert target and f"[{POPULATION[0]}]" in target


def test_issue_16_print_hides_filters_and_shows_source_lines(site: tuple[Path, list[dict]], browser: object) -> None:
    path, _ = site
    b = browser
    try:
        b.cdp("Emulation.setEmulatedMedia", {"media": "print"})  # type: ignore[attr-defined]
        b.get(path.joinpath("index.html").as_uri())  # type: ignore[attr-defined]
        assert b.script("return getComputedStyle(document.querySelector('.filters')).display") == "none"  # type: ignore[attr-defined]
        assert b.script("return getComputedStyle(document.querySelector('#findings tbody tr')).breakInside") \
            == "avoid"  # type: ignore[attr-defined]
        b.get((path / "hallazgos" / finding_slug(*POPULATION)).as_uri())  # type: ignore[attr-defined]
        heights = b.script("return [].map.call(document.querySelectorAll('details .excerpt'),"  # type: ignore[attr-defined]
                           "function(x){return x.getBoundingClientRect().height})")
        assert heights and min(heights) > 0, "the quoted source lines stay folded in print"
        assert b.script("return getComputedStyle(document.querySelector('main')).breakAfter") == "page"  # type: ignore[attr-defined]
    finally:
        b.cdp("Emulation.setEmulatedMedia", {"media": ""})  # type: ignore[attr-defined]
