"""cuadra/rules/catalogue.py: rules load with their origin; a bad rule names file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuadra.contract.registry import load_registry
from cuadra.engine import project_paths
from cuadra.errors import RuleError
from cuadra.rules.catalogue import load_catalogue

GOOD = """\
- id: a.suma
  titulo: A es la suma
  expr: a.total == a.x + a.y
  kind: suma
  fuentes: ["000_18269b3800bc8850.txt:38"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_origin_is_file_and_line(tmp_path: Path) -> None:
    (rule,) = load_catalogue([_write(tmp_path, GOOD)], {"a.total", "a.x", "a.y"})
    assert rule.origin == "r.yaml:1" and rule.concepts == ["a.total", "a.x", "a.y"]


@pytest.mark.parametrize(("text", "line", "needle"), [
    (GOOD.replace("a.x + a.y", "a.x + a.nope"), 3, "unknown concept 'a.nope'"),
    (GOOD.replace("a.x + a.y", "a.x +"), 3, "syntax error"),
    (GOOD.replace("kind: suma", "kind: sumas"), 4, "kind 'sumas'"),
    (GOOD.replace('["000_18269b3800bc8850.txt:38"]', '[""]'), 5, "fuente"),
    (GOOD.replace('["000_18269b3800bc8850.txt:38"]', '[38]'), 5, "fuente"),
    (GOOD + GOOD.replace("- id: a.suma", "- id: a.suma"), 6, "already defined"),
    (GOOD.replace("  titulo: A es la suma\n", ""), 1, "titulo"),
])
def test_rule_errors_point_at_yaml_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    with pytest.raises(RuleError) as exc:
        load_catalogue([_write(tmp_path, text)], {"a.total", "a.x", "a.y"})
    assert exc.value.line == line and needle in str(exc.value)
    assert str(exc.value).startswith(f"{tmp_path / 'r.yaml'}:{line}")


def test_bundled_catalogue_loads_against_bundled_registry() -> None:
    p = project_paths()
    reg = load_registry(p.registry)
    rules = load_catalogue(p.rules, reg.concepts)
    assert len(rules) >= 10
    assert all(r.fuentes for r in rules)


DEFS = """\
definiciones:
  doble_x: a.x + a.x
  cuadruple_x: doble_x * 2
rules:
- id: a.def
  titulo: A con definiciones
  expr: a.total == cuadruple_x - a.y
  kind: suma
  fuentes: ["000_18269b3800bc8850.txt:38"]
"""


def test_definitions_expand_into_the_expression(tmp_path: Path) -> None:
    (rule,) = load_catalogue([_write(tmp_path, DEFS)], {"a.total", "a.x", "a.y"})
    assert rule.expr == "a.total == ((a.x + a.x) * 2) - a.y"
    assert rule.meta["expr_escrita"] == "a.total == cuadruple_x - a.y"
    assert rule.concepts == ["a.total", "a.x", "a.y"]


def test_definition_names_never_touch_concept_ids() -> None:
    from cuadra.rules.catalogue import expand_definitions

    # "x" is defined, but a.x and x.total are concept ids that contain it: left alone.
    assert expand_definitions("a.x + x.total + x == 0", {"x": "a.y"}) == "a.x + x.total + (a.y) == 0"


@pytest.mark.parametrize(("text", "line", "needle"), [
    (DEFS.replace("doble_x: a.x + a.x", "doble.x: a.x + a.x"), 2, "without dots"),
    (DEFS.replace("doble_x: a.x + a.x", "doble_x: a.x +"), 2, "definition doble_x"),
    (DEFS.replace("cuadruple_x - a.y", "cuadruple_x[t-1] - a.y"), 7, "takes no period"),
    (DEFS.replace("cuadruple_x - a.y", "triple_x - a.y"), 7, "expected a dotted concept id"),
])
def test_definition_errors_point_at_yaml_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    with pytest.raises(RuleError) as exc:
        load_catalogue([_write(tmp_path, text)], {"a.total", "a.x", "a.y"})
    assert exc.value.line == line and needle in str(exc.value)


def test_issue_13_periodos_completos_and_bad_periodos(tmp_path: Path) -> None:
    base = ('- id: a.r\n  titulo: t\n  expr: a.total == a.x + a.y\n  kind: suma\n'
            '  fuentes: ["000_18269b3800bc8850.txt:1"]\n')
    (rule,) = load_catalogue([_write(tmp_path, base + "  periodos: completos\n")], {"a.total", "a.x", "a.y"})
    assert rule.completos and rule.periodos is None
    with pytest.raises(RuleError, match=r":6:.*periodos"):
        load_catalogue([_write(tmp_path, base + "  periodos: siempre\n")], {"a.total", "a.x", "a.y"})
