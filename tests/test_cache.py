"""Issue 17: the compiled registry and catalogue are cached by content, and never trusted blindly."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from cuadra.cache import cached, content_key
from cuadra.engine import Project, load_project, project_paths
from cuadra.errors import CuadraError

RULE = """- id: a.suma
  titulo: t
  expr: "a.total == a.x + a.y"
  kind: suma
  fuentes: ["000_18269b3800bc8850.txt:1"]
"""
REGISTRY = """units: {unidades: {label: unidades}}
concepts:
  a.total: {label: total, unit: unidades}
  a.x: {label: x, unit: unidades}
  a.y: {label: y, unit: unidades}
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CUADRA_CACHE", str(folder))
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Project:
    (tmp_path / "rules.yaml").write_text(RULE, encoding="utf-8")
    (tmp_path / "concepts.yaml").write_text(REGISTRY, encoding="utf-8")
    return Project(rules=(tmp_path / "rules.yaml",), registry=(tmp_path / "concepts.yaml",), waivers=None)


def _counting(value: object) -> tuple[list[int], object]:
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return value

    return calls, build


def test_second_load_comes_from_the_cache(cache: Path, tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    calls, build = _counting({"a": 1})
    assert cached("t", [f], build) == {"a": 1}
    assert cached("t", [f], build) == {"a": 1}
    assert len(calls) == 1
    assert len(list(cache.glob("t-*.pickle"))) == 1


def test_changing_a_file_or_the_extra_input_rebuilds(cache: Path, tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    calls, build = _counting("v")
    cached("t", [f], build)
    f.write_text("a: 2\n", encoding="utf-8")
    cached("t", [f], build)
    cached("t", [f], build, extra=b"other registry")
    assert len(calls) == 3


def test_corrupt_entry_is_ignored_and_rebuilt(cache: Path, tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    calls, build = _counting([1, 2, 3])
    cached("t", [f], build)
    (entry,) = cache.glob("t-*.pickle")
    entry.write_bytes(b"\x80\x05not a pickle at all")
    assert cached("t", [f], build) == [1, 2, 3]
    assert len(calls) == 2
    assert pickle.loads(entry.read_bytes())[1] == [1, 2, 3]  # the entry was rewritten whole


def test_stale_entry_under_the_right_name_is_not_trusted(cache: Path, tmp_path: Path) -> None:
    """An entry is used only when the key stored inside it is the hash of the current inputs."""
    f = tmp_path / "x.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    calls, build = _counting("fresh")
    cached("t", [f], build)
    (entry,) = cache.glob("t-*.pickle")
    entry.write_bytes(pickle.dumps(("0" * 64, "stale")))
    assert cached("t", [f], build) == "fresh"
    assert len(calls) == 2


def test_a_failing_build_caches_nothing(cache: Path, tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_text("a: 1\n", encoding="utf-8")

    def boom() -> object:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        cached("t", [f], boom)
    assert not cache.exists() or not list(cache.glob("*.pickle"))


def test_cache_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CUADRA_CACHE", "off")
    calls, build = _counting(1)
    cached("t", [tmp_path / "absent.yaml"], build)
    cached("t", [tmp_path / "absent.yaml"], build)
    assert len(calls) == 2


def test_missing_file_is_part_of_the_key(tmp_path: Path) -> None:
    f = tmp_path / "later.yaml"
    before = content_key("t", [f])
    f.write_text("", encoding="utf-8")
    assert content_key("t", [f]) != before


def test_editing_a_rule_file_changes_the_compiled_catalogue(cache: Path, project: Project) -> None:
    _, rules = load_project(project)
    assert [r.expr for r in rules] == ["a.total == a.x + a.y"]
    project.rules[0].write_text(RULE.replace("a.x + a.y", "a.x - a.y"), encoding="utf-8")
    _, rules = load_project(project)
    assert [r.expr for r in rules] == ["a.total == a.x - a.y"]


def test_editing_the_registry_rechecks_the_catalogue(cache: Path, project: Project) -> None:
    """The catalogue's key includes the registry's concepts: removing one the rules use is an error."""
    load_project(project)
    project.registry[0].write_text(REGISTRY.replace("  a.y: {label: y, unit: unidades}\n", ""), encoding="utf-8")
    with pytest.raises(CuadraError, match=r"a\.y"):
        load_project(project)


def test_bundle_from_cache_equals_bundle_parsed(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = load_project(project_paths())
    again = load_project(project_paths())  # from the entries just written
    monkeypatch.setenv("CUADRA_CACHE", "off")
    parsed = load_project(project_paths())
    assert again[1] == fresh[1] == parsed[1]
    assert again[0].concepts == parsed[0].concepts and again[0].units == parsed[0].units
