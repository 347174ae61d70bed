"""Hypothesis: the gate on generated datasets (issue 8).

Datasets are small: two documents, three years, a sum rule ``s.total == s.a + s.b`` and a lagged
growth rule, each figure at scale 0 or 3 with 0 or 1 decimals, some sums off so that some
instances fail. B is A after random edits (values moved inside or outside their rounding, facts
dropped or added, statuses flipped) and rows shuffled. The properties are those of the issue:
gate(A, A) is clean; new and resolved swap when the sides swap; the value revisions listed are
exactly the facts whose values differ.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract.facts import _finish
from cuadra.findings import finding_identity
from cuadra.gate.diff import diff_findings
from cuadra.gate.identity import fact_states_from_frame
from cuadra.gate.revisions import diff_facts
from cuadra.gate.sides import Side, evaluate_frame
from cuadra.rules.catalogue import load_catalogue

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
