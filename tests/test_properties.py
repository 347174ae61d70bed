"""Issue 5: Hypothesis proves the rules — no false alarm on balanced data, the evaluators agree,
faults beyond tolerance are caught, and a dataset survives a write/read round trip."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import Concept, Registry, Unit
from cuadra.contract.writers import write_facts
from cuadra.engine import project_paths
from cuadra.faults import FAULTS, inject
from cuadra.rules.catalogue import load_catalogue
from cuadra.rules.evaluate import FactIndex, evaluate_rule
from cuadra.rules.to_sql import rule_sql
from cuadra.testing.exact import exact_statuses
from cuadra.testing.strategies import balanced_facts, rules_of_every_kind, solvable
from expectations.suite import SQL_COLUMNS

KINDS = rules_of_every_kind()


def _numpy(rule, df: pd.DataFrame) -> dict[str, str]:  # type: ignore[no-untyped-def]
    res = evaluate_rule(rule, FactIndex(df))
    return dict(zip(res.keys, map(str, res.status), strict=True))


def _sql(rule, df: pd.DataFrame) -> dict[str, str]:  # type: ignore[no-untyped-def]
    con = sqlite3.connect(":memory:")
    df[SQL_COLUMNS].to_sql("facts", con, index=False)
    return {str(k): s for k, s, *_ in con.execute(rule_sql(rule).replace("{batch}", "facts"))}


@pytest.mark.parametrize("kind", sorted(KINDS))
@given(data=st.data())
def test_no_false_alarm_on_balanced_data(kind: str, data: st.DataObject) -> None:
    """Facts true by construction, then rounded for publication, never fail; both evaluators agree."""
    rule = KINDS[kind]
    df = data.draw(balanced_facts(rule))
    got = _numpy(rule, df)
    assert "fail" not in got.values(), df[["concept", "period", "published", "rounding"]].to_string()
    assert got == _sql(rule, df)
    # indeterminate only where the series has no previous year or a divisor may be zero
    assert any(v == "pass" for v in got.values()) or any(
        r.lag or isinstance(r, object) for r in rule.refs)


def _catalogue():  # type: ignore[no-untyped-def]
    from cuadra.contract.registry import load_registry

    p = project_paths()
    rules = load_catalogue(p.rules, load_registry(p.registry).concepts)
    return [r for r in rules if solvable(r.tree) is not None]


CATALOGUE = _catalogue()


@pytest.mark.skipif(not CATALOGUE, reason="no solvable rule in the catalogue")
@given(data=st.data())
def test_no_false_alarm_on_any_catalogue_rule(data: st.DataObject) -> None:
    """Every rule of the bundled catalogue, fed balanced facts, passes or is indeterminate."""
    rule = data.draw(st.sampled_from(CATALOGUE))
    df = data.draw(balanced_facts(rule))
    got = _numpy(rule, df)
    assert "fail" not in got.values(), (rule.id, rule.expr, df[["concept", "period", "published"]].to_string())


@pytest.mark.parametrize("kind", ["suma", "razon", "crecimiento", "formula", "unidad"])
@given(data=st.data())
def test_faults_beyond_tolerance_are_caught_and_within_are_not(kind: str, data: st.DataObject) -> None:
    """Inject a fault into one balanced fact: the float evaluator fails exactly where the exact
    (rational) evaluator says the rounding intervals can no longer meet, up to the float slack."""
    rule = KINDS[kind]
    df = data.draw(balanced_facts(rule))
    name = data.draw(st.sampled_from([n for n, f in FAULTS.items() if f.effect == "value"]))
    i = data.draw(st.integers(0, len(df) - 1))
    faulty = inject(name, df, i, data.draw(st.integers(0, 2**32)))
    if faulty is None:
        return
    exact, got = exact_statuses(rule, faulty), _numpy(rule, faulty)
    for key, status in got.items():
        if status == "fail":
            assert exact[key] == "fail", "false alarm: the exact evaluator finds the figures consistent"
        if exact[key] == "fail" and status != "fail":
            # only a gap smaller than the float slack may escape (a few ulps of the magnitudes involved)
            res = evaluate_rule(rule, FactIndex(faulty))
            j = res.keys.index(key)
            scale = max(abs(res.lhs.hi[j]), abs(res.rhs.hi[j]), 1.0)
            assert res.gap[j] <= scale * 1e-14


@given(data=st.data())
def test_na_operand_and_single_period_are_indeterminate(data: st.DataObject) -> None:
    rule = KINDS["suma"]
    df = data.draw(balanced_facts(rule, period="2020"))
    df.loc[df.index[0], ["value", "status"]] = [float("nan"), data.draw(st.sampled_from(["NA", "ND"]))]
    df.loc[df.index[0], ["lo", "hi"]] = [float("nan"), float("nan")]
    assert set(_numpy(rule, df).values()) == {"indeterminate"} == set(_sql(rule, df).values())
    growth = KINDS["crecimiento"]
    g = data.draw(balanced_facts(growth, period="2020"))
    g = g[g["period"] == "2020"]  # the series keeps one period: x.a[t-1] is missing
    assert set(_numpy(growth, g).values()) == {"indeterminate"}


def _registry(df: pd.DataFrame) -> Registry:
    reg = Registry(units={"unidades": Unit("unidades", "unidades")})
    for c in df["concept"].unique():
        reg.concepts[c] = Concept(c, c, "", "unidades", "flow")
    return reg


@pytest.mark.parametrize("ext", ["csv", "json", "parquet", "xlsx"])
@given(data=st.data())
def test_read_write_read_changes_nothing(tmp_path_factory: pytest.TempPathFactory, ext: str,
                                         data: st.DataObject) -> None:
    rule = KINDS[data.draw(st.sampled_from(sorted(KINDS)))]
    df = data.draw(balanced_facts(rule))
    reg = _registry(df)
    d = tmp_path_factory.mktemp("rt")
    write_facts(df, d / f"a.{ext}")
    once = load_facts(d / f"a.{ext}", reg).facts
    write_facts(once, d / f"b.{ext}")
    twice = load_facts(d / f"b.{ext}", reg).facts
    cols = ["concept", "period", "value", "unit", "scale", "decimals", "rounding", "status", "source", "locator",
            "quote", "published", "lo", "hi"]
    pd.testing.assert_frame_equal(once[cols], twice[cols])
    pd.testing.assert_frame_equal(once[cols], df[cols].reset_index(drop=True), check_dtype=False)


def test_every_fault_class_changes_a_figure() -> None:
    """Each injector does what its name says on a simple fact (and leaves its input untouched)."""
    from decimal import Decimal

    from cuadra.testing.strategies import facts_frame

    rows = [{"fact_id": f"f:{i}", "concept": c, "period": "2020", "value": v, "unit": "unidades", "scale": 0,
             "decimals": 1, "rounding": "nearest", "status": "final", "source": "s.txt", "locator": "1",
             "quote": "q", "published": "", "lectura": "", "pub_error": "", "rango_min": float("nan"),
             "rango_max": float("nan")}
            for i, (c, v) in enumerate([("x.a", 1234.5), ("x.b", 567.8), ("x.c", 98.7), ("x.total", 1703.6)])]
    df = facts_frame(rows)
    for name in ("valor_anio_anterior",):
        assert inject(name, df, 0, 1) is None  # no previous year: the class does not apply
    df = pd.concat([df, facts_frame([dict(rows[0], fact_id="f:9", period="2019", value=Decimal("1000.1"))])],
                   ignore_index=True)
    before = df.copy()
    for name, fault in FAULTS.items():
        out = inject(name, df, 0, 1)
        if out is None:
            continue
        if fault.effect == "row":
            assert len(out) == len(df) - 1, name
        elif fault.effect == "contract":
            assert out["unit"].iat[0] != df["unit"].iat[0], name
        else:
            assert (out["value"].iat[0], out["decimals"].iat[0]) != (df["value"].iat[0], df["decimals"].iat[0]), name
    pd.testing.assert_frame_equal(df, before)


def test_generators_do_not_filter() -> None:
    """STYLE.md move 11: balanced data is built, never filtered (no .filter in the strategies module)."""
    src = Path(__file__).resolve().parent.parent / "cuadra" / "testing" / "strategies.py"
    assert ".filter(" not in src.read_text(encoding="utf-8")
