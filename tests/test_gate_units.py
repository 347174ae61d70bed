"""The gate's parts one by one: fact pairing, revision kinds, finding identity (issue 8)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from cuadra.findings import FactRef, Finding, finding_identity
from cuadra.gate.diff import diff_findings
from cuadra.gate.identity import FactState, pair
from cuadra.gate.revisions import classify, diff_facts


def fact(value: float | None, scale: int = 0, decimals: int = 0, status: str = "final", locator: str = "1",
         concept: str = "afiliacion.total", source: str = "000_a.txt", fact_id: str = "a.csv:2") -> FactState:
    return FactState(concept, "2020", source, value, scale, decimals, "nearest", status, "personas", locator,
                     f"q{locator}", "", fact_id)


@pytest.mark.parametrize(("base", "head", "kind"), [
    (fact(11.1, 6, 1, "preliminar"), fact(11_137_420, status="final"), "refinement"),  # "11.1 millones" confirmed
    (fact(11_137_420), fact(11.1, 6, 1), "refinement"),  # coarsened, still consistent
    (fact(11.1, 6, 1), fact(11_237_420), "revision"),  # outside ±50,000
    (fact(11.1, 6, 1, "preliminar"), fact(11_100.0, 3, 1, "final"), "restated"),  # same value, p/ dropped
    (fact(11.1, 6, 1), fact(11_100_000), "restated"),  # same value, more precision
    (fact(None, status="ND"), fact(5), "revision"),
    (fact(5), fact(5, locator="9", fact_id="b.csv:40"), None),  # moved, not changed
])
def test_revision_kinds(base: FactState, head: FactState, kind: str | None) -> None:
    assert classify(base, head) == kind


def test_status_flip_is_named() -> None:
    d = diff_facts([fact(11.1, 6, 1, "preliminar")], [fact(11_137_420, status="final")])
    assert [(c.kind, c.status_flip) for c in d.changes] == [("refinement", "preliminar → final")]
    assert d.counts()["status_flips"] == 1 and d.revisions == d.changes


def test_twins_in_one_document_pair_by_content_then_locator() -> None:
    # One document states the figure twice (lines 10 and 40); only the second is corrected.
    base = [fact(100, locator="10"), fact(100, locator="40")]
    head = [fact(100, locator="10", fact_id="b.csv:3"), fact(120, locator="40", fact_id="b.csv:9")]
    d = diff_facts(base, head[::-1])
    assert d.unchanged == 1 and [(c.base.locator, c.head.locator, c.kind) for c in d.changes] == \
        [("40", "40", "revision")]
    p = pair([1, 2, 3], [3, 1], identity=lambda x: "same", content=lambda x: x)
    assert sorted(p.pairs) == [(1, 1), (3, 3)] and p.only_base == [2] and p.only_head == []


def _ref(value: float, fact_id: str, locator: str = "38") -> FactRef:
    return FactRef(fact_id, "poblacion_derechohabiente.cubierta", "2020-12", value, 3, 1, "nearest",
                   "000_18269b3800bc8850.txt", locator, "q", "", None, None)


def _finding(rule: str, key: str, status: str, *facts: FactRef, severity: str = "error") -> Finding:
    return Finding(rule, "suma", key, "2020-12", status, severity, "t", "a == b", (), (None, None), (None, None),
                   None, None, "", facts)


def test_identity_ignores_rows_files_and_fact_keys() -> None:
    a = _finding("publicado", "000.csv:12", "fail", _ref(69232.4, "000.csv:12"))
    b = replace(a, key="000_b.csv:3", facts=(_ref(69232.4, "000_b.csv:3", locator="38"),))
    assert finding_identity(a) == finding_identity(b)
    scoped = _finding("r", "2020-12@000_18269b3800bc8850.txt", "fail", _ref(1, "x:2"))
    assert finding_identity(scoped)[2] == "000_18269b3800bc8850.txt"
    no_facts = _finding("backend.desacuerdo.r", "2020-12@d.txt", "error")
    assert finding_identity(no_facts)[2] == "2020-12@d.txt"


def test_changed_not_new_plus_resolved() -> None:
    base = [_finding("r", "k", "fail", _ref(69232.4, "a:2")), _finding("w", "k", "pass", _ref(1, "a:3"),
                                                                       severity="warning")]
    head = [_finding("r", "k", "fail", _ref(69000.0, "a:2")), _finding("w", "k", "fail", _ref(2, "a:3"),
                                                                       severity="warning")]
    d = diff_findings(base, head)
    assert [c.current.rule for c in d.changed] == ["r"] and [c.current.rule for c in d.new] == ["w"]
    assert d.resolved == d.known == []
    assert d.blocking("error") == [] and [c.current.rule for c in d.blocking("warning")] == ["w"]


def test_waived_on_base_failing_on_head_is_new() -> None:
    base = [replace(_finding("r", "k", "fail", _ref(1, "a:2")), status="waived", waiver="ok")]
    head = [_finding("r", "k", "fail", _ref(2, "a:2"))]
    d = diff_findings(base, head)
    assert [(c.base_status, c.head_status) for c in d.new] == [("waived", "fail")]
    gone = diff_findings(head, [])
    assert [(c.category, c.head_status) for c in gone.resolved] == [("resolved", "absent")]


def test_a_rule_that_cannot_run_on_base_is_an_error_finding(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import cuadra.gate.sides as sides
    from cuadra.contract.facts import _finish
    from cuadra.rules.catalogue import load_catalogue

    rules_file = tmp_path / "r.yaml"
    rules_file.write_text('- {id: s.cota, titulo: cota, expr: "s.a <= s.b", kind: cota, '
                          'fuentes: ["000_18269b3800bc8850.txt:1"]}\n', encoding="utf-8")
    facts = _finish([{"fact_id": "x.csv:2", "concept": "s.a", "period": "2020", "value": 1.0, "unit": "u",
                      "scale": 0, "decimals": 0, "rounding": "nearest", "status": "final", "source": "d.txt",
                      "locator": "1", "quote": "q", "published": "", "lectura": "", "pub_value": float("nan"),
                      "pub_scale": float("nan"), "pub_decimals": float("nan"), "pub_error": "",
                      "rango_min": float("nan"), "rango_max": float("nan")}])

    def boom(rule: object, index: object) -> None:
        raise ValueError("no such operand")

    import cuadra.rules.evaluate as evaluate

    monkeypatch.setattr(evaluate, "evaluate_rules", boom)  # the batch fails, then each rule alone
    monkeypatch.setattr(evaluate, "evaluate_rule", boom)
    findings, _ = sides.evaluate_frame(facts, load_catalogue([rules_file]))
    broken = [f for f in findings if f.rule == "s.cota"]
    assert [(f.status, f.key) for f in broken] == [("error", "*")] and "no such operand" in broken[0].reason
