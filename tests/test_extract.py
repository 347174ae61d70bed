"""cuadra/extract: figures out of a report's text (issue 14, item 1)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cuadra.contract.numbers import parse_cifra
from cuadra.contract.registry import default_registry_paths, load_registry
from cuadra.extract import Suggester, VocabEntry, entries_from_registry, extract_lines, read_document
from cuadra.extract.recall import read_facts, recall
from cuadra.transcription.sources import SourceText

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "fixtures" / "sources").glob("*.txt"))

# (line, published, value, scale, decimals, rounding, unit)
FORMS = [
    ("Se crearon 101 mil 275 puestos.", "101 mil 275", "101275", 0, 0, "exact", "personas"),
    ("Hay 21 millones 718 mil 601 puestos de trabajo.", "21 millones 718 mil 601", "21718601", 0, 0, "exact",
     "personas"),
    ("Se registran un millón 98 mil 453 patrones.", "un millón 98 mil 453", "1098453", 0, 0, "exact",
     "unidades"),
    ("Son el 86.3 por ciento del total.", "86.3 por ciento", "86.3", 0, 1, "nearest", "porcentaje"),
    ("un remanente de $3,578,315.1 miles de pesos.", "$3,578,315.1 miles de pesos", "3578315.1", 3, 1, "nearest",
     "MXN"),
    ("Resultado (846) en el cuadro.", "(846)", "-846", 0, 0, "exact", "unidades"),
    ("las reservas suman 1.2 billones de pesos.", "1.2 billones de pesos", "1.2", 12, 1, "nearest", "MXN"),
    ("una recaudación cercana a 2 mil 800 millones de pesos.", "cercana a 2 mil 800 millones de pesos", "2800", 6, 0,
     "approx", "MXN"),
    ("hubo una caída de 345 mil empleos.", "una caída de 345 mil", "-345", 3, 0, "nearest", "personas"),
    ("bajó 1.5 puntos porcentuales en el año.", "1.5 puntos porcentuales", "1.5", 0, 1, "nearest",
     "puntos_porcentuales"),
    ("atendió a más de 70 millones de derechohabientes.", "más de 70 millones", "70", 6, 0, "above", "personas"),
    ("con menos de 3 días de espera.", "menos de 3", "3", 0, 0, "below", "dias"),
    ("alrededor de 58.2 millones de pesos.", "alrededor de 58.2 millones de pesos", "58.2", 6, 1, "approx", "MXN"),
    ("un registro de 1’001,793 trabajadores", "1’001,793", "1001793", 0, 0, "exact", "personas"),
]


def _one(line: str) -> list:
    candidates, _ = extract_lines([line], "x.txt")
    return candidates


@pytest.mark.parametrize(("line", "published", "value", "scale", "decimals", "rounding", "unit"), FORMS)
def test_spanish_forms_as_imss_prints_them(line: str, published: str, value: str, scale: int, decimals: int,
                                           rounding: str, unit: str) -> None:
    (c,) = _one(line)
    assert (c.published, Decimal(c.value), c.scale, c.decimals, c.rounding, c.unit) == (
        published, Decimal(value), scale, decimals, rounding, unit)
    assert c.locator == "1" and published in c.quote


def test_range_ends_share_the_scale_and_kind() -> None:
    a, b = _one("Entre 10 y 12 por ciento de los puestos.")
    assert (a.value, a.unit, a.nota, b.value, b.unit, b.nota) == ("10", "porcentaje", "rango: desde", "12",
                                                                  "porcentaje", "rango: hasta")
    c, d = _one("de 5 a 7 mil personas")
    assert (c.scale, d.scale, c.unit) == (3, 3, "personas")


@pytest.mark.parametrize(("lines", "text", "reason"), [
    (["En 2020 se afiliaron 5,000 personas."], "2020", "año"),
    (["El 31 de diciembre de 2020 cerró."], "31", "fecha"),
    (["vigente desde 15/03/2021"], "15", "fecha"),
    (["1. Cuarto mes consecutivo con aumento."], "1", "lista"),
    (["el 2o. trimestre del año"], "2o.", "ordinal"),
    (["según el artículo 17 de la Ley"], "17", "referencia"),
    (["pacientes con COVID-19 atendidos"], "19", "código"),
    (["texto de la página", "\f12", "más texto"], "12", "página"),
])
def test_numbers_that_are_not_figures_say_why(lines: list[str], text: str, reason: str) -> None:
    candidates, others = extract_lines(lines, "x.txt")
    hit = [o for o in others if o.text == text]
    assert hit and reason in hit[0].reason, others
    assert all(c.published != text for c in candidates)


def test_a_figure_spanning_two_lines_names_both() -> None:
    (c,) = extract_lines(["cuotas cercanas a", "2 mil 800 millones de pesos"], "x.txt")[0]
    assert (c.locator, c.value, c.rounding) == ("1-2", "2800", "approx")


@pytest.fixture(scope="module")
def bundle() -> tuple[list, list]:
    registry = load_registry(default_registry_paths(ROOT / "fixtures"))
    suggester = Suggester(entries_from_registry(registry.concepts))
    candidates, others = [], []
    for path in SOURCES:
        c, o = extract_lines(read_document(path), path.name, suggester)
        candidates += c
        others += o
    return candidates, others


def test_recall_on_the_bundle(bundle: tuple[list, list]) -> None:
    """Share of the bundled printed facts proposed with their value and line (README, nox -s bench).

    The facts missed all carry a ``lectura``: OCR garbled the print ("=709" for ≥70 %, "39, 145"),
    so the value differs from what is printed; counted as printed they are found too.
    """
    r = recall(bundle[0], read_facts(sorted((ROOT / "fixtures" / "reports").rglob("*.csv"))))
    assert r.printed > 1500
    assert r.share >= 0.97, r.misses[:5]
    assert r.share_as_printed >= 0.99
    assert all(m["lectura"] for m in r.misses if m["published"] != "4 de cada 10"), r.misses


def test_every_quote_stands_at_its_locator_and_reads_back(bundle: tuple[list, list]) -> None:
    """The contract's own parser reads each proposed figure back; each quote is verbatim at its line(s)."""
    texts = {p.name: SourceText(p) for p in SOURCES}
    for c in bundle[0]:
        assert texts[c.source].contains(c.locator, c.quote), c
        assert c.published in c.quote
        assert parse_cifra(c.published.strip("=")).value == Decimal(c.value) or c.published.startswith("(")


def test_years_are_never_proposed(bundle: tuple[list, list]) -> None:
    reasons = {o.reason for o in bundle[1]}
    assert {"año", "fecha (día del mes)", "número de lista"} <= reasons
    assert not [c for c in bundle[0] if c.published in ("2019", "2020", "2021") and c.scale == 0]


def test_suggester_respects_the_unit_and_stays_empty_when_nothing_fits() -> None:
    s = Suggester([VocabEntry("a.puestos", "personas", "Puestos de trabajo afiliados permanentes"),
                   VocabEntry("a.puestos.pct", "porcentaje", "Porcentaje de puestos de trabajo permanentes")])
    assert s.suggest("18 millones de puestos de trabajo permanentes", "personas")[0] == "a.puestos"
    assert s.suggest("el 86.3 por ciento de los puestos permanentes", "porcentaje")[0] == "a.puestos.pct"
    assert s.suggest("la temperatura del océano", "personas") == ("", 0.0)


_PDF_TEXT = "Se crearon 101 mil 275 puestos en 2024."


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF with one line of Helvetica text, written by hand (no PDF writer needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{x:010d} 00000 n \n".encode() for x in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def test_pdf_is_read_through_pdfium(tmp_path: Path) -> None:
    pytest.importorskip("pypdfium2")
    pdf = tmp_path / "boletin.pdf"
    pdf.write_bytes(_tiny_pdf(_PDF_TEXT))
    candidates, others = extract_lines(read_document(pdf), pdf.name)
    assert [(c.value, c.locator) for c in candidates] == [("101275", "1")]
    assert [o.reason for o in others] == ["año"]
