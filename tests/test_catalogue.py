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
    (GOOD.replace('["000_18269b3800bc8850.txt:38"]', '["informe p. 3"]'), 5, "fuente"),
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
