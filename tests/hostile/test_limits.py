"""Issue 15, item 3: every limit is a clear message, ``file:line:column: what was expected``, exit 2.

And item 6's reading side: the byte and row limits are configurable (option, environment).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cuadra.limits import Limits, use
from hostile.corpus import HEADER, Project, csv_text, rows, rule_yaml, run, zip_bomb

BOMB = """- id: h.suma
  titulo: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  expr: 'h.total == h.a + h.b'
  kind: suma
  fuentes: ['000_18269b3800bc8850.txt:1']
"""


def _refused(project: Project, capsys: pytest.CaptureFixture[str], argv: list[str], pattern: str) -> str:
    code, err = run(argv, capsys, project)
    assert code == 2, err
    assert re.search(pattern, err), err
    return err


def test_yaml_alias_bomb_in_a_rule(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.rules = project.write("rules.yaml", BOMB)
    err = _refused(project, capsys, project.validate(project.facts()), r"rules\.yaml:\d+:\d+: aliases expand")
    assert len(err.splitlines()) == 1


def test_yaml_file_size_and_depth(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    with use(Limits(max_yaml_bytes=50)):
        _refused(project, capsys, project.validate(project.facts()), r"concepts\.yaml: .* above the .* limit")
    project.write("concepts.yaml", "units: " + "[" * 200 + "]" * 200)
    _refused(project, capsys, project.validate(project.facts()), r"concepts\.yaml:1:\d+: .*nest")


def test_waivers_and_registry_use_the_same_loader(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.write("no-waivers.yaml", BOMB.replace("- id: h.suma", "- rule: x"))
    _refused(project, capsys, project.validate(project.facts()), r"no-waivers\.yaml:\d+:\d+: aliases expand")


@pytest.mark.parametrize(("expr", "pattern"), [
    ("h.total == " + " + ".join(["h.a"] * 20_000), r"rules\.yaml:\d+:\d+: expression of [\d,]+ characters"),
    ("h.total == " + " + ".join(["h.a"] * 150), r"rules\.yaml:\d+:\d+: expression nested \d+ levels"),
    ("h.total == " + "-" * 5000 + "h.a", r"rules\.yaml:\d+:\d+: expression nested too deep"),
    ("h.total <= h.a * 1e400", r"rules\.yaml:\d+:\d+: number out of range"),
    ("h.total <= h.a * 1" + "0" * 400, r"rules\.yaml:\d+:\d+: number out of range"),
])
def test_expression_limits(project: Project, capsys: pytest.CaptureFixture[str], expr: str, pattern: str) -> None:
    project.rules = project.write("rules.yaml", rule_yaml(expr=expr))
    _refused(project, capsys, project.validate(project.facts(), backend="both"), pattern)


@pytest.mark.parametrize(("first", "pattern"), [
    ({"value": "1" + "0" * 400}, r"facts\.csv:2:value: value .* is out of range"),
    ({"value": "1e5"}, r"facts\.csv:2:value: value '1e5' does not parse"),
    ({"decimals": str(10**20)}, r"facts\.csv:2:decimals: decimals .*expected a whole number from 0 to 20"),
    ({"published": "1" + "0" * 400}, r"facts\.csv:2:published: published .* is out of range"),
    ({"quote": "ci\x00fra"}, r"facts\.csv:2:quote: unexpected NUL byte"),
    ({"period": "２０２０"}, r"facts\.csv:2:period: unexpected digit '２' \(U\+FF12 FULLWIDTH DIGIT TWO\)"),
    ({"value": "١٫٢"}, r"facts\.csv:2:value: unexpected digit '١' \(U\+0661 ARABIC-INDIC DIGIT ONE\)"),
    ({"scale": "３"}, r"facts\.csv:2:scale: unexpected digit"),
    ({"quote": "x" * 40_000}, r"facts\.csv:2: a cell longer than 32,767 characters"),
])
def test_cells_out_of_range(project: Project, capsys: pytest.CaptureFixture[str], first: dict[str, str],
                            pattern: str) -> None:
    _refused(project, capsys, project.validate(project.facts(rows(first))), pattern)


def test_json_nested_deep(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    data = project.write("facts.json", "[" * 100_000 + "]" * 100_000)
    _refused(project, capsys, project.validate(data), r"facts\.json: JSON nested more than 64 levels")
    data = project.write("facts.json", json.dumps({"facts": [{**rows()[0], "value": 1e308 * 10}]}).replace(
        "Infinity", "1" + "0" * 5000))
    _refused(project, capsys, project.validate(data), r"facts\.json: not readable JSON: Exceeds the limit")


def test_json_lone_surrogate_refused(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """``"\\ud800"`` in a JSON string is half a UTF-16 pair, no character: refused at its cell, never stored."""
    text = json.dumps({"facts": [{**rows()[0], "quote": "cita SURROGATE"}]}).replace("SURROGATE", "\\ud800")
    data = project.write("facts.json", text)
    _refused(project, capsys, project.validate(data), r"facts\.json:\d+:quote: unexpected lone surrogate U\+D800")


def test_xlsx_zip_bomb_refused_from_declared_sizes(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = zip_bomb(project.inputs / "bomb.xlsx")
    assert bomb.stat().st_size < 2 << 20
    _refused(project, capsys, project.validate(bomb), r"bomb\.xlsx: xl/worksheets/sheet1\.xml inflates [\d,]+ times")


def test_xlsx_size_and_rows(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for r in rows():
        wb.active.append([r[h] for h in HEADER])
    wb.save(project.inputs / "facts.xlsx")
    data = project.inputs / "facts.xlsx"
    code, err = run(project.validate(data), capsys, project)
    assert code == 0, err
    with use(Limits(max_xlsx_bytes=1000)):
        _refused(project, capsys, project.validate(data), r"facts\.xlsx: the workbook inflates to .* above the limit")
    with use(Limits(max_rows=2)):
        _refused(project, capsys, project.validate(data), r"facts\.xlsx:4: more than 2 rows")


def test_file_size_and_rows_limits_are_configurable(project: Project, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = project.facts()
    _refused(project, capsys, project.validate(data, "--max-bytes", "100"),
             r"facts\.csv: the file is 3\d\d bytes, above the limit of 100 bytes; raise it with --max-bytes")
    _refused(project, capsys, project.validate(data, "--max-rows", "2"), r"facts\.csv:4: more than 2 rows")
    monkeypatch.setenv("CUADRA_MAX_ROWS", "2")
    _refused(project, capsys, project.validate(data), r"more than 2 rows; raise the limit with --max-rows")
    code, err = run(project.validate(data, "--max-rows", "1M"), capsys, project)  # the option wins
    assert code == 0, err
    monkeypatch.setenv("CUADRA_MAX_ROWS", "many")
    _refused(project, capsys, project.validate(data), r"CUADRA_MAX_ROWS: 'many': expected a whole number")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-16-be"])
def test_utf16_and_utf32_with_a_mark_are_decoded(project: Project, capsys: pytest.CaptureFixture[str],
                                                 codec: str) -> None:
    text = csv_text(rows())
    raw = text.encode(codec) if codec != "utf-16-be" else b"\xfe\xff" + text.encode(codec)
    data = project.write("facts.csv", raw)
    code, err = run(project.validate(data), capsys, project)
    assert code == 0, err


@pytest.mark.parametrize(("codec", "name"), [("utf-16-le", "UTF-16-LE"), ("utf-16-be", "UTF-16-BE"),
                                             ("utf-32-le", "UTF-32-LE")])
def test_utf16_without_a_mark_is_named(project: Project, capsys: pytest.CaptureFixture[str], codec: str,
                                       name: str) -> None:
    data = project.write("facts.csv", csv_text(rows()).encode(codec))
    _refused(project, capsys, project.validate(data), rf"facts\.csv:1: the file looks like {name} without a byte-order")
    data = project.write("facts.json", json.dumps(rows()).encode(codec))
    _refused(project, capsys, project.validate(data), rf"facts\.json:1: the file looks like {name}")


def test_a_path_not_a_file(project: Project, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _refused(project, capsys, project.validate(project.inputs / "missing.csv"), r"missing\.csv: no such file")
