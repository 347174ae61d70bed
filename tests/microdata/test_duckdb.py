"""Issue 18: the DuckDB engine finds planted faults exactly (rows and counts) and passes clean files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuadra.cli import main
from cuadra.microdata.engines import duckdb as engine
from cuadra.microdata.layout import file_date, load_layout, row_rules
from cuadra.microdata.synthetic import FAULTS


def _scan(path: Path):
    return engine.scan(path, load_layout(), row_rules(file_date(path)))


def test_planted_faults_found_exactly(faulty_file: tuple[Path, dict]) -> None:
    path, side = faulty_file
    scan = _scan(path)
    found = {o.rule.id: [e.fila for e in o.ejemplos] for o in scan.outcomes if o.filas}
    planted: dict[str, list[int]] = {}
    for f in side["fallas"]:
        planted.setdefault(f["regla"], []).append(f["fila"])
    assert set(planted) == set(FAULTS)
    assert found == {k: sorted(v) for k, v in planted.items()}
    assert all(o.filas == len(planted.get(o.rule.id, [])) for o in scan.outcomes)
    assert scan.rows == 4000


def test_example_rows_carry_the_file_values(faulty_file: tuple[Path, dict]) -> None:
    path = faulty_file[0]
    raw = pd.read_csv(path, sep="|", encoding="latin-1", dtype=str, keep_default_na=False)
    for o in _scan(path).outcomes:
        for e in o.ejemplos:
            for col, v in e.valores.items():
                assert (v or "") == raw.iloc[e.fila - 1][col]


def test_clean_synthetic_file_has_no_finding(clean_file: tuple[Path, dict]) -> None:
    path, side = clean_file
    scan = _scan(path)
    assert [o.rule.id for o in scan.outcomes if o.filas] == []
    assert scan.sums["ta"] == side["calibracion"]["suma_ta"]


def test_cli_json_schema_exit_codes(faulty_file: tuple[Path, dict], clean_file: tuple[Path, dict],
                                    tmp_path: Path) -> None:
    out = tmp_path / "f.json"
    assert main(["microdatos", "validar", str(faulty_file[0]), "--json", str(out), "--junit",
                 str(tmp_path / "j.xml"), "--quiet"]) == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    by = {f["rule"]: f for f in data["findings"]}
    f = by["microdatos.suma.ta"]
    assert f["status"] == "fail" and f["filas"] == 1 and len(f["ejemplos"]) == 1
    assert {"rule", "kind", "key", "period", "status", "severity", "titulo", "expr", "fuentes", "facts"} <= set(f)
    assert f["period"] == "2020-12-31"
    assert by["microdatos.rango_salarial"]["severity"] == "warning"
    assert main(["microdatos", "validar", str(clean_file[0]), "--quiet"]) == 0
    # warnings only (a code outside the lists) -> 0 by default, 1 with --fail-on warning


def test_bad_input_exit_2(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "asg-2020-12-31.csv"
    bad.write_text("a|b\n1|2\n", encoding="latin-1")
    assert main(["microdatos", "validar", str(bad), "--quiet"]) == 2
    assert f"{bad}:1:cve_delegacion: falta la columna" in capsys.readouterr().err
    assert main(["microdatos", "validar", str(tmp_path / "no.csv"), "--quiet"]) == 2


def test_examples_capped_at_20(tmp_path: Path) -> None:
    from datetime import date

    from cuadra.microdata.synthetic import write_synthetic

    side = write_synthetic(tmp_path / "asg-2020-12-31.csv", filas=2000, fecha=date(2020, 12, 31), fallas=11 * 25)
    scan = _scan(tmp_path / str(side["archivo"]))
    o = next(o for o in scan.outcomes if o.rule.id == "microdatos.suma.ta")
    assert o.filas == 25 and len(o.ejemplos) == 20
    assert [e.fila for e in o.ejemplos] == sorted(f["fila"] for f in side["fallas"]
                                                  if f["regla"] == "microdatos.suma.ta")[:20]


def test_salary_bands_without_reference_are_indeterminate(clean_file: tuple[Path, dict], tmp_path: Path) -> None:
    """A cut-off date with no minimum wage / UMA in fixtures/microdata/referencia_salarios.yaml makes the
    salary-band warnings indeterminate (with the reason), never a silent pass."""
    import shutil

    other = tmp_path / "asg-2030-06-30.csv"
    shutil.copy(clean_file[0], other)
    out = tmp_path / "f.json"
    assert main(["microdatos", "validar", str(other), "--json", str(out), "--quiet"]) == 0
    by = {f["rule"]: f for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    assert by["microdatos.rango_uma"]["status"] == "indeterminate"
    assert "2030" in by["microdatos.rango_salarial"]["reason"]


# Cells where DuckDB's typed CSV reader and TRY_CAST(text AS DOUBLE) could part ways: the typed read
# must either refuse the file (then the scan reads it as text) or give what the text read gives.
READER_CELLS = ["1.5", "2.0", " 12", "12 ", "+3", "-0", "1e3", "0x10", "1_000", "NaN", "inf", "1,5", "",
                "  ", "12a", "0012", "1.", ".5", "9223372036854775808", "1e400", "W99", "33", "E99", "-0.01"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 29), st.integers(0, 28), st.sampled_from(READER_CELLS)),
                      min_size=1, max_size=8))
def test_typed_read_equals_text_read(plant_cells, edits: list[tuple[int, int, str]]) -> None:
    path = plant_cells(edits, rows=30)
    rules = row_rules(file_date(path))
    typed = engine.scan(path, load_layout(), rules)
    text = engine.scan(path, load_layout(), rules, native=False)
    assert text.lectura == "texto" and typed.lectura in ("tipos", "texto")
    assert (typed.rows, typed.sums, typed.outcomes) == (text.rows, text.sums, text.outcomes)


def test_clean_file_is_read_once_with_types(clean_file: tuple[Path, dict], faulty_file: tuple[Path, dict]) -> None:
    """The fast path is taken when every cell parses, and left when one does not (the faulty file
    has a text cell in a measure): both give the findings the tests above check."""
    assert _scan(clean_file[0]).lectura == "tipos"
    assert _scan(faulty_file[0]).lectura == "texto"
