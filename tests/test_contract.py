"""cuadra/contract: every format loads the same facts; every bad cell is named (issue 2, item 4)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import Registry, load_registry
from cuadra.engine import project_paths
from cuadra.errors import InputErrors

HEADER = ["concept", "period", "value", "unit", "scale", "decimals", "rounding", "status", "source", "locator",
          "quote", "published", "lectura"]
ROWS = [
    ["poblacion_derechohabiente.adscrita", "2020-12", "57073.9", "personas", "3", "1", "nearest", "final",
     "000_18269b3800bc8850.txt", "38", "57,073.9 miles de derechohabientes adscritos", "57,073.9 miles", ""],
    ["ingresos.cuotas_obrero_patronales.crecimiento_real", "2020", "-0.8", "porcentaje", "0", "1", "", "",
     "000_18269b3800bc8850.txt", "33", "-0.8% real", "-0.8%", ""],
    ["prestaciones_economicas.indemnizaciones_globales.trabajadores", "2020", "8,942", "personas", "", "",
     "exact", "final", "000_18269b3800bc8850.txt", "54", "se benefició a 8,942 trabajadores", "8,942", ""],
]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(project_paths().registry)


def _csv(path: Path, rows: list[list[str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    import csv

    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def _expected(df: pd.DataFrame) -> list[tuple]:
    return list(df[["concept", "period", "value", "scale", "decimals", "rounding", "status"]]
                .itertuples(index=False, name=None))


@pytest.mark.parametrize(("delimiter", "encoding"), [(",", "utf-8"), (";", "utf-8"), ("|", "latin-1")])
def test_csv_dialects(tmp_path: Path, registry: Registry, delimiter: str, encoding: str) -> None:
    df = load_facts(_csv(tmp_path / "f.csv", ROWS, delimiter, encoding), registry).facts
    assert _expected(df) == [
        ("poblacion_derechohabiente.adscrita", "2020-12", 57073.9, 3, 1, "nearest", "final"),
        ("ingresos.cuotas_obrero_patronales.crecimiento_real", "2020", -0.8, 0, 1, "nearest", "final"),
        ("prestaciones_economicas.indemnizaciones_globales.trabajadores", "2020", 8942.0, 0, 0, "exact", "final"),
    ]


def test_typed_formats_load_the_same_facts(tmp_path: Path, registry: Registry) -> None:
    base = _expected(load_facts(_csv(tmp_path / "f.csv", ROWS), registry).facts)
    frame = pd.DataFrame(ROWS, columns=HEADER)
    frame.to_excel(tmp_path / "f.xlsx", index=False)
    frame.to_parquet(tmp_path / "f.parquet", index=False)
    (tmp_path / "f.json").write_text(json.dumps({"facts": frame.to_dict(orient="records")}), encoding="utf-8")
    for ext in ("xlsx", "parquet", "json"):
        assert _expected(load_facts(tmp_path / f"f.{ext}", registry).facts) == base, ext


def _errors(tmp_path: Path, registry: Registry, rows: list[list[str]]) -> list[str]:
    path = _csv(tmp_path / "bad.csv", rows)
    before = path.read_bytes()
    with pytest.raises(InputErrors) as exc:
        load_facts(path, registry)
    assert path.read_bytes() == before, "the input file is never modified"
    return [str(e) for e in exc.value.errors]


def _row(**changes: str) -> list[str]:
    r = dict(zip(HEADER, ROWS[0], strict=True))
    r.update(changes)
    return [r[h] for h in HEADER]


@pytest.mark.parametrize(("changes", "column", "needle"), [
    ({"concept": "no.existe"}, "concept", "unknown concept 'no.existe'"),
    ({"unit": "MXN"}, "unit", "does not match concept"),
    ({"value": "57,07.39"}, "value", "does not parse"),
    ({"status": "NA"}, "value", "takes no value"),
    ({"quote": ""}, "quote", "provenance"),
    ({"locator": "línea 38"}, "locator", "expected a line"),
    ({"period": "dic-2020"}, "period", "YYYY"),
    ({"rounding": "up"}, "rounding", "nearest"),
    ({"scale": "4"}, "scale", "expected one of"),
])
def test_bad_cells_are_named(tmp_path: Path, registry: Registry, changes: dict[str, str], column: str,
                             needle: str) -> None:
    errors = _errors(tmp_path, registry, [_row(**changes)])
    assert any(e.startswith(f"{tmp_path / 'bad.csv'}:2:{column}: ") and needle in e for e in errors), errors


def test_duplicate_key_and_all_errors_at_once(tmp_path: Path, registry: Registry) -> None:
    errors = _errors(tmp_path, registry, [ROWS[0], _row(value="57073.8"), _row(concept="no.existe")])
    assert any(":3:concept: duplicate fact" in e for e in errors)
    assert any(":4:concept: unknown concept" in e for e in errors)


def test_issue_14_same_row_twice_is_one_fact(tmp_path: Path, registry: Registry) -> None:
    """The same fact read twice (identical row, same provenance) is one fact, not an error."""
    path = _csv(tmp_path / "twice.csv", [ROWS[0], ROWS[0], ROWS[1]])
    copy = _csv(tmp_path / "copy.csv", [ROWS[1]])
    facts = load_facts(path, registry, extra=[copy]).facts
    assert len(facts) == 2


def test_missing_column_and_ragged_row(tmp_path: Path, registry: Registry) -> None:
    p = tmp_path / "f.csv"
    p.write_text("concept,period\nx.y,2020\n", encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        load_facts(p, registry)
    assert "missing column(s) value" in str(exc.value)
    p.write_text(",".join(HEADER) + "\n" + "a,b\n", encoding="utf-8")
    with pytest.raises(InputErrors) as exc:
        load_facts(p, registry)
    assert ":2: expected 13 cells" in str(exc.value)


def test_registry_entry_with_unknown_keys_is_named(tmp_path: Path) -> None:
    """A flow mapping whose text holds a comma turns into stray keys: reported, never swallowed."""
    from cuadra.errors import InputErrors as Errors

    p = tmp_path / "c.yaml"
    p.write_text("units:\n  MXN: {label: pesos, definition: Importe (miles, millones)}\n"
                 "concepts:\n  a.b:\n    label: A\n    unit: MXN\n    unidad: MXN\n", encoding="utf-8")
    with pytest.raises(Errors) as exc:
        load_registry([p])
    text = str(exc.value)
    assert f"{p}:2" in text and "unit MXN: unknown key(s) 'millones)'" in text
    assert f"{p}:4" in text and "concept a.b: unknown key(s) 'unidad'" in text
