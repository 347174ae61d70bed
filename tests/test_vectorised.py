"""Issue 17: the vectorised evaluator gives exactly what the instance-by-instance one gave.

``cuadra.testing.loop_evaluator`` is the evaluator as it was before issue 17 (string-keyed groups,
one lookup per instance, fact lists built per instance). On generated tables (duplicates across
and within documents, NA/ND, every rounding mode, lags, fixed periods, periods no fact has,
``periodos`` filters, issue 13's ``[m-1]``/``[q-1]``/``[fin(t)]`` references and ``periodos: completos``)
and on every rule (and template instance) of the bundle, both must agree on the instances, their
keys and order, statuses, reasons, both sides' bounds, the imbalance and the facts of each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract.facts import _finish
from cuadra.engine import expand_project_templates, load_project, project_paths
from cuadra.rules.builtins import duplicates
from cuadra.rules.catalogue import Rule, load_catalogue
from cuadra.rules.evaluate import FactIndex, RuleResult, evaluate_rule, evaluate_rules, instances
from cuadra.rules.syntax import parse_expr
from cuadra.testing.loop_evaluator import LoopIndex, LoopResult, loop_duplicates, loop_evaluate_rule
from cuadra.testing.loop_evaluator import instances as loop_instances

CONCEPTS = ["a.total", "a.x", "a.y", "a.g", "b.sin_hechos"]
RULES = [
    ("a.total == a.x + a.y", None),
    ("a.total == sum(a.x, a.y, a.g)", None),
    ("a.total >= a.x", ["2020", "2021-06"]),
    ("a.x < a.y", None),
    ("(a.total / a.total[t-1] - 1) * 100 == a.g", None),
    ("a.x / a.y * 100 == a.g", None),
    ("abs(a.x - a.y) <= a.total", None),
    ("min(a.x, a.y) * 2.5 > -a.total", None),
    ("a.total - a.x['2020'] == a.y[t+1]", None),
    ("max(a.x, a.y) / (a.total - a.x) == 1.5", None),
    ("a.x[t-1] == a.y[t-2]", None),  # only shifted operands: periods moved back, some no fact has
    ("a.x['2020'] <= a.y['2019']", None),  # only fixed periods
    ("a.total == a.x + b.sin_hechos", None),  # a concept with no fact at all
    # Issue 13's relative periods, pinned-only instances and ``periodos: completos``.
    ("a.total - a.total[m-1] == a.g", None),
    ("a.x[q-1] <= a.y", None),
    ("a.total[fin(t)] - a.total[fin(t-1)] == a.g", None),  # only relative operands: moved back by source
    ("a.x[fin(m-1)] == a.y[m-1]", None),
    ("a.total == a.x + a.y[t-1]", "completos"),
    ("a.x[fin(t)] >= a.y[t-1]", "completos"),
]


@st.composite
def fact_tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 16))  # (the loop evaluator indexed an empty table out of range)
    rows = []
    for i in range(n):
        status = draw(st.sampled_from(["final", "final", "final", "preliminar", "NA", "ND"]))
        decimals = draw(st.integers(0, 2))
        value = np.nan if status in ("NA", "ND") else round(draw(st.floats(-1, 1, allow_nan=False)) * 1000, decimals)
        rows.append({
            "fact_id": f"f.csv:{i + 2}", "concept": draw(st.sampled_from(CONCEPTS[:4])),
            "period": draw(st.sampled_from(["2018", "2019", "2020", "2021", "2021-06", "2020-12-31", "2021-05",
                                             "2021-03", "2021-05-31", "2021-06-30", "2019-12-31"])),
            "value": value, "unit": "unidades", "scale": draw(st.sampled_from([0, 3])), "decimals": decimals,
            "rounding": draw(st.sampled_from(["nearest", "truncate", "exact"])), "status": status,
            "source": draw(st.sampled_from(["s.txt", "u.txt", "v.txt"])), "locator": str(i + 1), "quote": "q",
            "published": "", "lectura": "", "pub_value": np.nan, "pub_scale": np.nan, "pub_decimals": np.nan,
            "pub_error": "", "rango_min": np.nan, "rango_max": np.nan,
        })
    return _finish(rows)


def _same(new: RuleResult, old: LoopResult) -> None:
    assert list(new.keys) == list(old.keys)
    assert list(new.periods) == list(old.periods)
    assert list(map(str, new.status)) == list(map(str, old.status))
    assert list(new.reason) == list(old.reason)
    for a, b in ((new.lhs.lo, old.lhs.lo), (new.lhs.hi, old.lhs.hi), (new.rhs.lo, old.rhs.lo),
                 (new.rhs.hi, old.rhs.hi), (new.gap, old.gap), (new.rel_gap, old.rel_gap)):
        np.testing.assert_array_equal(a, b)  # NaN equals NaN here; bit-identical otherwise
    assert list(new.facts) == list(old.facts)
    failing = np.asarray(new.status) == "fail"
    expected = sorted({x for f, bad in zip(old.facts, failing, strict=True) if bad for x in f})
    assert new.fact_positions(failing).tolist() == expected


@pytest.fixture(scope="module")
def generated_rules(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    text = "".join(f"- id: r{i}\n  titulo: t\n  expr: \"{e}\"\n  kind: formula\n"
                   f"  fuentes: [\"000_18269b3800bc8850.txt:1\"]\n" + (f"  periodos: {p}\n" if p else "")
                   for i, (e, p) in enumerate(RULES))
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_catalogue([path], set(CONCEPTS))


@given(df=fact_tables())
def test_vectorised_equals_loop_on_generated_tables(generated_rules: list, df: pd.DataFrame) -> None:  # type: ignore[type-arg]
    new, old = FactIndex(df), LoopIndex(df)
    for rule in generated_rules:
        _same(evaluate_rule(rule, new), loop_evaluate_rule(rule, old))
        # The exact evaluator enumerates instances through ``instances``: same pairs, same order.
        assert instances(rule, new) == loop_instances(rule, old)
    keys, status, reason, facts = loop_duplicates(old)
    dup = duplicates(new)
    assert (dup.keys, list(map(str, dup.status)), dup.reason, list(dup.facts)) == (keys, status, reason, facts)


def test_vectorised_equals_loop_on_every_bundle_rule() -> None:
    from cuadra.contract.facts import load_facts

    project = project_paths()
    registry, rules = load_project(project)
    facts = load_facts(Path(project.rules[0]).parent.parent / "fixtures" / "reports", registry,
                       extra=project.reference).facts
    new, old = FactIndex(facts), LoopIndex(facts)
    # Template instances too (issue 13): they carry x[m-1], x[fin(t)]... that no written rule uses.
    for rule in [*rules, *expand_project_templates(project, registry, facts, rules)]:
        _same(evaluate_rule(rule, new), loop_evaluate_rule(rule, old))
    keys, status, reason, lists = loop_duplicates(old)
    dup = duplicates(new)
    assert (dup.keys, list(map(str, dup.status)), dup.reason, list(dup.facts)) == (keys, status, reason, lists)


# -- Batches: rules of one shape walked together (issue 17) -------------------------------------------

#: Shapes with their operand and literal holes; a batch fills one shape several times, so the rules
#: of a shape differ in concepts, periods (another spec in the same slot), literals and filters.
SHAPES = [
    "{0} == {1} + {2}",
    "{0} <= {1}",
    "({0} / {1} - {n}) * 100 == {2}",
    "{0} == sum({1}, {2}, {0})",  # a reference written twice: one operand
    "abs({0} - {1}) <= {2} * {n}",
    "-{0} < min({1}, {2})",
]
PERIODS = ["", "", "[t-1]", "[t+1]", "['2020']", "[m-1]", "[q-1]", "[fin(t)]", "[fin(t-1)]"]


@st.composite
def rule_batches(draw: st.DrawFn) -> list[Rule]:
    """Two or three shapes, each filled by one to four rules (the first by at least two)."""
    shapes = draw(st.lists(st.sampled_from(SHAPES), min_size=2, max_size=3, unique=True))
    rules = []
    for j, shape in enumerate(shapes):
        for _ in range(draw(st.integers(2 if j == 0 else 1, 4))):
            operands = [draw(st.sampled_from(CONCEPTS)) + draw(st.sampled_from(PERIODS)) for _ in range(3)]
            expr = shape.format(*operands, n=draw(st.sampled_from(["0.5", "1", "2.5", "100"])))
            periodos = draw(st.sampled_from([None, None, "completos", ("2020", "2021-06", "2019-12-31")]))
            rules.append(Rule(id=f"r{len(rules)}", titulo="t", expr=expr, tree=parse_expr(expr), kind="formula",
                              severity="error", ess_level=1, fuentes=("000_18269b3800bc8850.txt:1",), origin="r.yaml:1",
                              periodos=periodos if isinstance(periodos, tuple) else None,
                              completos=periodos == "completos"))
    return rules


@given(df=fact_tables(), rules=rule_batches())
def test_rules_of_one_shape_evaluated_together_equal_the_loop(df: pd.DataFrame, rules: list[Rule]) -> None:
    assert len({r.plan.shape for r in rules}) < len(rules)  # some shape holds several rules
    new, old = FactIndex(df), LoopIndex(df)
    together = evaluate_rules(rules, new)
    assert [r.rule for r in together] == rules
    for rule, res in zip(rules, together, strict=True):
        _same(res, loop_evaluate_rule(rule, old))
    # Alone, in another order, on the same index (its period tables already filled by the batch).
    for rule in reversed(rules):
        _same(evaluate_rule(rule, new), loop_evaluate_rule(rule, old))


@st.composite
def near_duplicates(draw: st.DrawFn) -> pd.DataFrame:
    """Figures stated several times, cut or rounded to fewer decimals, in several documents and
    rounding conventions: failing duplicates, some explained by a truncation (issue 14), some not."""
    rows = []
    for concept in draw(st.lists(st.sampled_from(CONCEPTS[:4]), min_size=1, max_size=4, unique=True)):
        exact = draw(st.integers(1, 999)) + draw(st.sampled_from([0.957, 0.123, 0.55, 0.06, 0.999]))
        for _ in range(draw(st.integers(2, 5))):
            decimals = draw(st.integers(0, 3))
            cut = draw(st.booleans())  # the figure cut to its decimals, or rounded
            value = np.floor(exact * 10**decimals) / 10**decimals if cut else round(exact, decimals)
            status = draw(st.sampled_from(["final"] * 11 + ["NA"]))
            rows.append({
                "fact_id": f"f.csv:{len(rows) + 2}", "concept": concept, "period": "2020",
                "value": np.nan if status == "NA" else round(value, decimals), "unit": "unidades", "scale": 0,
                "decimals": decimals, "rounding": draw(st.sampled_from(["nearest", "nearest", "truncate", "exact"])),
                "status": status, "source": draw(st.sampled_from(["s.txt", "u.txt", "v.txt"])),
                "locator": str(len(rows) + 1), "quote": "q", "published": "", "lectura": "", "pub_value": np.nan,
                "pub_scale": np.nan, "pub_decimals": np.nan, "pub_error": "", "rango_min": np.nan, "rango_max": np.nan,
            })
    return _finish(rows)


@given(df=near_duplicates())
def test_duplicate_conventions_found_at_once_equal_one_group_at_a_time(df: pd.DataFrame) -> None:
    keys, status, reason, facts = loop_duplicates(LoopIndex(df))
    dup = duplicates(FactIndex(df))
    assert (dup.keys, list(map(str, dup.status)), dup.reason, list(dup.facts)) == (keys, status, reason, facts)


def test_a_pickled_plan_numbers_its_period_specs_where_it_is_read() -> None:
    """The catalogue cache pickles rules; a plan's spec numbers are the writing process's own."""
    import pickle

    from cuadra.rules.shapes import SPEC_REFS, compile_rule, period_spec

    plan = compile_rule(parse_expr("a.total[fin(t-1)] == a.x[q-1] + a.y['2020'] * 2"))
    assert all(isinstance(x, str | tuple) for x in plan.__reduce__()[1][:2])  # no numbers travel
    back = pickle.loads(pickle.dumps(plan))
    assert back == plan
    assert [period_spec(SPEC_REFS[k]) for k in back.specs] == [period_spec(r) for r in plan.refs]


def test_a_rule_that_cannot_run_fails_alone_in_the_pandera_batch() -> None:
    """Pandera's rule checks share one batch; a rule that raises must not take the others with it."""
    from dataclasses import replace

    from checks.schema import run_pandera

    df = _finish([{"fact_id": f"f.csv:{i + 2}", "concept": c, "period": "2020", "value": v, "unit": "unidades",
                   "scale": 0, "decimals": 0, "rounding": "nearest", "status": "final", "source": "s.txt",
                   "locator": str(i + 1), "quote": "q", "published": "", "lectura": "", "pub_value": np.nan,
                   "pub_scale": np.nan, "pub_decimals": np.nan, "pub_error": "", "rango_min": np.nan,
                   "rango_max": np.nan} for i, (c, v) in enumerate([("a.total", 5.0), ("a.x", 2.0), ("a.y", 3.0)])])
    good = [Rule(id=f"r{i}", titulo="t", expr=e, tree=parse_expr(e), kind="formula", severity="error", ess_level=1,
                 fuentes=("000_18269b3800bc8850.txt:1",), origin="r.yaml:1")
            for i, e in enumerate(["a.total == a.x + a.y", "a.x <= a.total"])]
    broken = replace(good[0], id="roto")
    # A plan whose slots are out of the walk's order: the evaluator refuses it (UnsupportedRule).
    broken.__dict__["plan"] = replace(broken.plan, shape="roto", refs=tuple(reversed(broken.plan.refs)))
    results, _ = run_pandera(df, [good[0], broken, good[1]])
    by_rule = {r.rule.id: [str(s) for s in r.status] for r in results}
    assert "roto" not in by_rule
    assert by_rule["r0"] == ["pass"] and by_rule["r1"] == ["pass"]
