"""Issue 15: fuzzing every reader and the rule parser. Random bytes and random cells may only end
in exit 0, 1 or 2, never a traceback (the CLI runs in-process, so each example is cheap)."""

from __future__ import annotations

import io
import json
import tempfile
from contextlib import redirect_stderr, redirect_stdout, suppress
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuadra.cli import main
from cuadra.rules.syntax import RuleSyntaxError, parse_expr
from cuadra.yamlload import YamlError, load_yaml
from hostile.corpus import HEADER, Project, csv_text, rows, rule_yaml

EXAMPLES = settings(max_examples=25)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return Project(tmp_path_factory.mktemp("fuzz"))


def _exit(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(argv)
    text = err.getvalue()
    assert code in (0, 1, 2), text
    assert "Traceback" not in text and "error interno" not in text, text
    return code, text


#: Cells as a steward's export could hold them: digits, separators, words, markup, any Unicode.
CELL = st.one_of(st.sampled_from(["", "1", "-0.8", "(846)", "1,245", "11.1 millones", "2020", "2020-12", "h.a",
                                  "unidades", "nearest", "final", "NA", "x" * 40, "=1+1", "'=x", "1e400"]),
                 st.text(max_size=12))
XLSX_CELL = CELL.map(lambda s: "".join(c for c in s if c.isprintable()))  # XLSX cannot hold control characters
RECORD = st.fixed_dictionaries({h: CELL for h in HEADER})


@EXAMPLES
@given(st.binary(max_size=600), st.sampled_from([".csv", ".json", ".xlsx", ".parquet"]))
def test_random_bytes(project: Project, data: bytes, suffix: str) -> None:
    path = project.write(f"bytes{suffix}", data)
    _exit(project.validate(path))


@EXAMPLES
@given(st.binary(max_size=300))
def test_random_bytes_after_a_valid_header(project: Project, data: bytes) -> None:
    path = project.write("tail.csv", csv_text(rows()).encode() + data)
    _exit(project.validate(path))


@EXAMPLES
@given(st.lists(RECORD, min_size=1, max_size=4), st.sampled_from([".csv", ".json", ".parquet"]))
def test_random_cells(project: Project, records: list[dict[str, str]], suffix: str) -> None:
    path = project.inputs / f"cells{suffix}"
    if suffix == ".csv":
        path.write_text(csv_text(records), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps({"facts": records}), encoding="utf-8")
    else:
        pd.DataFrame(records, columns=HEADER).to_parquet(path, index=False)
    _exit(project.validate(path))


@settings(max_examples=10)
@given(st.lists(st.fixed_dictionaries({h: XLSX_CELL for h in HEADER}), min_size=1, max_size=3))
def test_random_cells_xlsx(project: Project, records: list[dict[str, str]]) -> None:
    path = project.inputs / "cells.xlsx"
    pd.DataFrame(records, columns=HEADER).to_excel(path, index=False)
    _exit(project.validate(path))


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                                max_size=4), max_leaves=20)


@EXAMPLES
@given(JSON)
def test_random_json(project: Project, value: object) -> None:
    path = project.write("any.json", json.dumps(value))
    _exit(project.validate(path))


EXPR = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(["h.a", "h.b", "h.total", "+", "-", "*", "/", "(", ")", "==", "<=", "1", "0", "1e400",
                              "sum(", "abs(", ",", "[t-1]", '["2019"]', "t", "h.total[t+1]", "min(", "**", "if"]),
             max_size=14).map(" ".join),
)


@settings(max_examples=200)
@given(EXPR)
def test_rule_parser_only_raises_rule_errors(expr: str) -> None:
    with suppress(RuleSyntaxError):
        parse_expr(expr)


@EXAMPLES
@given(EXPR)
def test_random_rules_through_the_cli(project: Project, expr: str) -> None:
    project.rules = project.write("fuzz-rules.yaml", rule_yaml(expr=expr.replace("'", "''")))
    try:
        _exit(project.validate(project.facts(), backend="pandera"))
    finally:
        project.rules = project.write("rules.yaml", rule_yaml())


@settings(max_examples=100)
@given(st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_yaml_loader_only_raises_yaml_errors(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.yaml"
        path.write_bytes(data)
        with suppress(YamlError):
            load_yaml(path)
