"""Issue 16: provenance to the page. The document register's page maps and how a line is cited."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cuadra.report.documents import NO_PAGE, Document, PageMark, cite, load_documents

ROOT = Path(__file__).resolve().parent.parent
DOCS = load_documents([ROOT / "fixtures" / "documents.yaml", ROOT / "fixtures" / "reference" / "documents.yaml"])


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("page_map", ROOT / "tools" / "page_map.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_issue_16_committed_page_maps_are_what_the_texts_give() -> None:
    assert _tool().main(["--check"]) == 0


def test_issue_16_page_marks_come_from_printed_headers() -> None:
    tool = _tool()
    marks, total = tool.page_marks("uno\n\n\n\nInforme al ejecutivo federal sobre algo\n\n334\n\ntexto")
    # A bare number inside running text is not a page.
    assert tool.page_marks("a\nb\n7\nc")[0] == []
    header = "x\n\n\nENCABEZADO DEL PRESUPUESTO\nEntidad Página 3 de 6\ny"
    assert tool.page_marks(header) == ([{"linea": 4, "pagina": 3}], 6)
    assert marks[0] == {"linea": 5, "pagina": 334} and total is None


def test_issue_16_every_report_has_a_title_and_says_whether_pages_are_known() -> None:
    reports = [d for d in DOCS.values() if not d.id.startswith("9")]
    assert len(reports) == 5 and all(d.title for d in reports)
    assert all(d.marks or "no conserva" in d.pages_note for d in reports)
    assert DOCS["003_a7a8b73631a12faf.txt"].url and DOCS["003_a7a8b73631a12faf.txt"].url_source


def test_issue_16_citations_name_the_page_or_say_it_is_unknown() -> None:
    assert cite(DOCS, "003_a7a8b73631a12faf.txt", "2245") == "pp. 334–336, línea 2245"
    assert cite(DOCS, "003_a7a8b73631a12faf.txt", "2600-2601") == "p. 337 o siguientes, líneas 2600-2601"
    assert cite(DOCS, "003_a7a8b73631a12faf.txt", "38") == "antes de la p. 334, línea 38"
    assert cite(DOCS, "002_e303bfb61f39cb21.txt", "60") == "pp. 3–6, línea 60"
    assert cite(DOCS, "002_e303bfb61f39cb21.txt", "10") == "antes de la p. 3, línea 10"
    assert cite(DOCS, "000_18269b3800bc8850.txt", "38") == f"{NO_PAGE}, línea 38"
    assert cite({}, "x.txt", "4-5") == f"{NO_PAGE}, líneas 4-5"
    doc = Document("d", "t", marks=(PageMark(1, 11), PageMark(40, 12)))
    assert cite({"d": doc}, "d", "38") == "p. 11, línea 38"
    assert cite({"d": doc}, "d", "39-41") == "p. 11 a p. 12 o siguientes, líneas 39-41"
