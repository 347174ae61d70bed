"""Hypothesis: the gate on generated datasets (issue 8).

Datasets are small: two documents, three years, a sum rule ``s.total == s.a + s.b`` and a lagged
growth rule, each figure at scale 0 or 3 with 0 or 1 decimals, some sums off so that some
instances fail. B is A after random edits (values moved inside or outside their rounding, facts
dropped or added, statuses flipped) and rows shuffled. The properties are those of the issue:
gate(A, A) is clean; new and resolved swap when the sides swap; the value revisions listed are
exactly the facts whose values differ; the lost checks (issue 19) are exactly the instances decided
on A that B no longer decides.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuadra.contract.facts import _finish
from cuadra.findings import finding_identity
from cuadra.gate.diff import diff_findings
from cuadra.gate.identity import fact_states_from_frame
from cuadra.gate.lost import CHECKED, DECIDED, find_lost
from cuadra.gate.revisions import diff_facts
from cuadra.gate.sides import Side, evaluate_frame
from cuadra.rules.catalogue import load_catalogue
from cuadra.testing.strategies import balanced_facts, kind_rules, rules_of_every_kind

RULES = """
- {id: g.suma, titulo: suma, expr: "s.total == s.a + s.b", kind: suma, fuentes: ["000_18269b3800bc8850.txt:1"]}
- {id: g.crec, titulo: crecimiento, expr: "s.a - s.a[t-1] == s.d", kind: diferencia,
   fuentes: ["000_18269b3800bc8850.txt:1"]}
"""
CONCEPTS = ("s.a", "s.b", "s.total", "s.d")
SOURCES = ("d1.txt", "d2.txt")
PERIODS = ("2019", "2020", "2021")
KEYS = [(c, p, s) for s in SOURCES for p in PERIODS for c in CONCEPTS]


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> list:
    path = tmp_path_factory.mktemp("rules") / "g.yaml"
    path.write_text(RULES, encoding="utf-8")
    return load_catalogue([path])


# A fact: (value in tenths, scale, decimals, status); None leaves the key out of the dataset.
fact = st.tuples(st.integers(0, 400), st.sampled_from([0, 3]), st.sampled_from([0, 1]),
                 st.sampled_from(["final", "preliminar"]))
dataset = st.lists(st.one_of(st.none(), fact), min_size=len(KEYS), max_size=len(KEYS))


def _frame(spec: list) -> pd.DataFrame:
    rows = []
    for (concept, period, source), f in zip(KEYS, spec, strict=True):
        if f is None:
            continue
        tenths, scale, decimals, status = f
        value = float(Decimal(tenths).scaleb(-1).quantize(Decimal(1).scaleb(-decimals)))
        rows.append({"fact_id": f"{source}.csv:{len(rows) + 2}", "concept": concept, "period": period,
                     "value": value, "unit": "unidades", "scale": scale, "decimals": decimals, "rounding": "nearest",
                     "status": status, "source": source, "locator": "1", "quote": f"{concept} {period}",
                     "published": "", "lectura": "", "pub_value": float("nan"), "pub_scale": float("nan"),
                     "pub_decimals": float("nan"), "pub_error": "", "rango_min": float("nan"),
                     "rango_max": float("nan")})
    return _finish(rows)


def _side(spec: list, rules: list, shuffle: list[int] | None = None) -> Side:
    facts = _frame(spec)
    if shuffle:
        facts = facts.iloc[sorted(range(len(facts)), key=lambda i: shuffle[i % len(shuffle)])].reset_index(drop=True)
        facts["fact_id"] = [f"x.csv:{i + 2}" for i in range(len(facts))]  # every row moved
    findings, expired = evaluate_frame(facts, rules)
    return Side("gen", findings, fact_states_from_frame(facts), True, "h", expired)


def _ids(changes: list) -> Counter:
    return Counter(finding_identity(c.current) for c in changes)


@given(spec=dataset, shuffle=st.lists(st.integers(0, 1000), min_size=1, max_size=30))
def test_gate_of_a_dataset_with_itself_is_clean(rules: list, spec: list, shuffle: list[int]) -> None:
    a, a_moved = _side(spec, rules), _side(spec, rules, shuffle)
    fd = diff_findings(a.findings, a_moved.findings)
    assert fd.new == fd.resolved == fd.changed == [] and not fd.blocking("warning")
    assert len(fd.known) == sum(1 for f in a.findings if f.status in ("fail", "error"))
    dd = diff_facts(a.facts, a_moved.facts)
    assert dd.changes == dd.added == dd.removed == [] and dd.unchanged == len(a.facts)


@given(a_spec=dataset, edits=st.lists(st.tuples(st.integers(0, len(KEYS) - 1), st.one_of(st.none(), fact)),
                                      max_size=6))
def test_swapping_sides_swaps_new_and_resolved(rules: list, a_spec: list, edits: list) -> None:
    b_spec = list(a_spec)
    for i, f in edits:
        b_spec[i] = f
    a, b = _side(a_spec, rules), _side(b_spec, rules)
    ab, ba = diff_findings(a.findings, b.findings), diff_findings(b.findings, a.findings)
    assert _ids(ab.new) == _ids(ba.resolved) and _ids(ab.resolved) == _ids(ba.new)
    assert _ids(ab.known) == _ids(ba.known) and _ids(ab.changed) == _ids(ba.changed)
    # Nothing failing is lost: every failing instance of either side is in exactly one category.
    failing_b = Counter(finding_identity(f) for f in b.findings if f.status in ("fail", "error"))
    assert _ids(ab.new) + _ids(ab.known) + _ids(ab.changed) == failing_b


@given(a_spec=dataset, edits=st.lists(st.tuples(st.integers(0, len(KEYS) - 1), st.one_of(st.none(), fact)),
                                      max_size=8))
def test_revisions_are_exactly_the_facts_whose_values_differ(rules: list, a_spec: list, edits: list) -> None:
    b_spec = list(a_spec)
    for i, f in edits:
        b_spec[i] = f
    a, b = _side(a_spec, rules), _side(b_spec, rules)
    dd = diff_facts(a.facts, b.facts)
    va = {f.identity: f for f in a.facts}
    vb = {f.identity: f for f in b.facts}
    both = va.keys() & vb.keys()
    assert {c.base.identity for c in dd.revisions} == {k for k in both if va[k].magnitude != vb[k].magnitude}
    assert {f.identity for f in dd.added} == vb.keys() - va.keys()
    assert {f.identity for f in dd.removed} == va.keys() - vb.keys()
    flips = {k for k in both if va[k].status != vb[k].status}
    assert {c.base.identity for c in dd.changes if c.status_flip} == flips
    for c in dd.changes:
        assert (c.kind == "restated") == (c.base.magnitude == c.head.magnitude)
    back = diff_facts(b.facts, a.facts)
    assert Counter(c.kind for c in back.changes) == Counter(c.kind for c in dd.changes)


def _decided_not_checked(a: Side, b: Side) -> Counter:
    decided = Counter(finding_identity(f) for f in a.findings if f.status in DECIDED)
    return decided - Counter(finding_identity(f) for f in b.findings if f.status in CHECKED)


@settings(max_examples=60)
@given(a_spec=dataset, edits=st.lists(st.tuples(st.integers(0, len(KEYS) - 1), st.one_of(st.none(), fact)),
                                      max_size=8))
def test_lost_checks_are_exactly_the_instances_decided_on_a_and_not_on_b(rules: list, a_spec: list,
                                                                         edits: list) -> None:
    """Issue 19: gate(A, B) lists as lost exactly the instances decided on A and not decided on B."""
    b_spec = list(a_spec)
    for i, f in edits:
        b_spec[i] = f
    a, b = _side(a_spec, rules), _side(b_spec, rules)
    lost = find_lost(a.findings, b.findings, diff_facts(a.facts, b.facts))
    assert Counter(finding_identity(c.base) for c in lost) == _decided_not_checked(a, b)
    assert all(c.head is None or c.head.status not in CHECKED for c in lost)
    assert find_lost(a.findings, a.findings, diff_facts(a.facts, a.facts)) == []


@settings(max_examples=40)
@given(data=st.data(), kind=st.sampled_from(sorted(kind_rules())))
def test_lost_checks_on_published_facts_with_rows_dropped(data: st.DataObject, kind: str) -> None:
    """The same property on facts built by cuadra.testing.strategies (published text, so the per-fact
    built-ins exist): dropping rows loses exactly the decided instances B no longer checks, except the
    per-fact checks of a dropped figure, which is listed as removed instead."""
    rule = rules_of_every_kind()[kind]
    facts = data.draw(balanced_facts(rule, period="2020"))
    keep = data.draw(st.lists(st.booleans(), min_size=len(facts), max_size=len(facts)))
    a = Side("a", evaluate_frame(facts, [rule])[0], fact_states_from_frame(facts), True, "h")
    b_facts = facts[keep].reset_index(drop=True)
    b = Side("b", evaluate_frame(b_facts, [rule])[0], fact_states_from_frame(b_facts), True, "h")
    dd = diff_facts(a.facts, b.facts)
    dropped = {f.fact_id for f in dd.removed}
    expected = _decided_not_checked(a, b)
    for f in a.findings:
        if f.rule in ("publicado", "rango") and f.status in DECIDED and {x.fact_id for x in f.facts} <= dropped:
            expected[finding_identity(f)] -= 1
    lost = find_lost(a.findings, b.findings, dd)
    assert Counter(finding_identity(c.base) for c in lost) == +expected
    if not all(keep):
        assert any(f.rule == "publicado" for f in a.findings)  # the exception is exercised, not vacuous


def test_a_check_moved_into_one_document_is_named(rules: list) -> None:
    """BASE checks ``s.total == s.a + s.b`` across documents (d2 states s.b); HEAD states s.b in d1
    too, so the rule decides the period inside d1 instead: the cross-document instance is a lost
    check whose reason names where the rule now decides the period."""
    facts = {("s.total", "2020", "d1.txt"): (50, 0, 0, "final"), ("s.a", "2020", "d1.txt"): (20, 0, 0, "final"),
             ("s.b", "2020", "d2.txt"): (30, 0, 0, "final")}
    a_spec = [facts.get(k) for k in KEYS]
    b_spec = [facts.get(k) or ((30, 0, 0, "final") if k == ("s.b", "2020", "d1.txt") else None) for k in KEYS]
    a, b = _side(a_spec, rules), _side(b_spec, rules)
    lost = [c for c in find_lost(a.findings, b.findings, diff_facts(a.facts, b.facts)) if c.base.rule == "g.suma"]
    assert [(c.base.key, c.head, c.moved_to.key if c.moved_to else None) for c in lost] == \
        [("2020", None, "2020@d1.txt")]
    assert "decide el periodo como 2020@d1.txt" in lost[0].reason
