"""Rule templates over the vocabulary (issue 13): expansion, properties, and both backends agree.

A declared hierarchy of generated balanced data always passes; perturbing one part beyond its
rounding fails that instance and only that one. Template instances are ordinary rules, so the
numpy evaluator and the SQL compiler must agree on them, with the new relative periods.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract.facts import _finish
from cuadra.contract.registry import Concept, Registry, Unit
from cuadra.engine import project_paths
from cuadra.errors import InputErrors, RuleError
from cuadra.rules.evaluate import FactIndex, evaluate_rule
from cuadra.rules.templates import expand_templates, load_templates
from cuadra.rules.to_sql import rule_sql
from cuadra.vocabulary import build_vocabulary
from expectations.suite import SQL_COLUMNS

TEMPLATES = load_templates(project_paths().templates)


def _registry(relations: dict[str, dict[str, object]], units: dict[str, str] | None = None) -> Registry:
    reg = Registry(units={u: Unit(u, u) for u in ("personas", "porcentaje")})
    for cid in sorted({*relations, *(c for r in relations.values() for c in _named(r))}):
        unit = (units or {}).get(cid, "personas")
        reg.concepts[cid] = Concept(cid, cid, "", unit, "stock", origin="test.yaml:1",
                                    relations=dict(relations.get(cid, {})))
    return reg


def _named(r: dict[str, object]) -> list[str]:
    out = []
    for k in ("components", "numerator", "denominator", "of"):
        v = r.get(k)
        for x in v if isinstance(v, list) else [v] if v else []:
            out.append(str(x).lstrip("-"))
    return out


def _row(i: int, concept: str, period: str, value: float, *, decimals: int = 0, source: str = "s") -> dict:
    return {"fact_id": f"f.csv:{i + 2}", "concept": concept, "period": period, "value": value,
            "unit": "personas", "scale": 0, "decimals": decimals, "rounding": "nearest", "status": "final",
            "source": source, "locator": str(i + 1), "quote": "q", "published": "", "lectura": "",
            "pub_value": np.nan, "pub_scale": np.nan, "pub_decimals": np.nan, "pub_error": "",
            "rango_min": np.nan, "rango_max": np.nan}


def _expand(reg: Registry, facts: pd.DataFrame) -> list:  # type: ignore[type-arg]
    present = facts[["concept", "period", "source", "locator"]].astype(str).itertuples(index=False, name=None)
    return expand_templates(TEMPLATES, build_vocabulary(reg, derived=False), present).rules


def _sql(df: pd.DataFrame, sql: str) -> dict[str, str]:
    con = sqlite3.connect(":memory:")
    df[SQL_COLUMNS].to_sql("facts", con, index=False)
    return {str(k): s for k, s, *_ in con.execute(sql.replace("{batch}", "facts"))}


HIERARCHY = {"h.total": {"components": ["h.a", "h.b", "-h.c"]}}
YEARS = ["2019", "2020", "2021", "2022"]


@st.composite
def balanced(draw: st.DrawFn) -> pd.DataFrame:
    """Parts drawn, total computed exactly: consistent by construction (no filter)."""
    rows = []
    for t in YEARS:
        a, b, c = (draw(st.integers(-10**9, 10**9)) for _ in range(3))
        for concept, v in (("h.a", a), ("h.b", b), ("h.c", c), ("h.total", a + b - c)):
            rows.append(_row(len(rows), concept, t, float(v)))
    return _finish(rows)


@given(balanced(), st.sampled_from(YEARS), st.sampled_from(["h.a", "h.b", "h.c"]), st.integers(3, 10**6),
       st.booleans())
def test_issue_13_hierarchy_passes_balanced_data_and_fails_only_the_perturbed_instance(
        df: pd.DataFrame, year: str, part: str, delta: int, up: bool) -> None:
    reg = _registry(HIERARCHY)
    (rule,) = _expand(reg, df)
    assert rule.meta["plantilla"] == "jerarquia" and rule.meta["vinculos"]["total"] == "h.total"
    res = evaluate_rule(rule, FactIndex(df))
    assert set(map(str, res.status)) == {"pass"}
    # Four figures each ±0.5 allow a gap of 2: a move of 3 or more (beyond rounding) must break the sum.
    broken = df.copy()
    hit = (broken["concept"] == part) & (broken["period"] == year)
    broken.loc[hit, "value"] += delta if up else -delta
    broken = _finish(broken.drop(columns=["lo", "hi"]).to_dict("records"))
    res = evaluate_rule(rule, FactIndex(broken))
    statuses = dict(zip(res.periods, map(str, res.status), strict=True))
    assert statuses == {t: "fail" if t == year else "pass" for t in YEARS}


CHANGES = {
    "s.var_m": {"of": "s.stock", "step": "mes"},
    "s.tasa_m": {"of": "s.stock", "step": "mes", "form": "porcentaje"},
    "s.var_a": {"of": "s.stock"},
    "s.tasa_a": {"of": "s.stock", "form": "porcentaje"},
    "s.stock": {"components": ["s.p", "s.e"]},
}
UNITS = {"s.tasa_m": "porcentaje", "s.tasa_a": "porcentaje"}


@st.composite
def monthly_series(draw: st.DrawFn) -> pd.DataFrame:
    """Stocks at month ends, changes over months and years, some figures off by a little or a lot."""
    rows: list[dict] = []
    months = [(y, m) for y in (2022, 2023) for m in (1, 2, 3)]
    ends = {f"{y}-{m:02d}": f"{y}-{m:02d}-{[31, 28, 31][m - 1]}" for y, m in months}
    stock = {}
    for ym, end in ends.items():
        p, e = draw(st.integers(0, 10**6)), draw(st.integers(0, 10**5))
        stock[ym] = p + e + draw(st.sampled_from([0, 0, 1, 500]))
        rows += [_row(len(rows), "s.p", end, p), _row(len(rows) + 1, "s.e", end, e),
                 _row(len(rows) + 2, "s.stock", end, stock[ym], source=draw(st.sampled_from(["s", "u"])))]
    for ym in ends:
        y, m = int(ym[:4]), int(ym[5:])
        prev, year_ago = f"{y}-{m - 1:02d}", f"{y - 1}-{m:02d}"
        if prev in stock:
            d = stock[ym] - stock[prev] + draw(st.sampled_from([0, 0, 3]))
            rows.append(_row(len(rows), "s.var_m", ym, d))
            if stock[prev]:
                rows.append(_row(len(rows), "s.tasa_m", ym, round(d / stock[prev] * 100, 1), decimals=1))
        if year_ago in stock:
            d = stock[ym] - stock[year_ago]
            rows.append(_row(len(rows), "s.var_a", ym, d))
            if stock[year_ago]:
                rows.append(_row(len(rows), "s.tasa_a", ym, round(d / stock[year_ago] * 100, 1), decimals=1))
    return _finish(rows)


@given(monthly_series())
def test_issue_13_template_instances_agree_in_numpy_and_sql(df: pd.DataFrame) -> None:
    rules = _expand(_registry(CHANGES, UNITS), df)
    assert {r.meta["plantilla"] for r in rules} >= {"jerarquia", "cambio.diferencia"}
    index = FactIndex(df)
    for rule in rules:
        res = evaluate_rule(rule, index)
        assert dict(zip(res.keys, map(str, res.status), strict=True)) == _sql(df, rule_sql(rule)), rule.expr


def test_issue_13_monthly_change_lines_up_with_month_end_stocks() -> None:
    rows = [_row(0, "s.stock", "2023-01-31", 100), _row(1, "s.stock", "2023-02-28", 130),
            _row(2, "s.var_m", "2023-02", 30), _row(3, "s.stock", "2022-02-28", 90), _row(4, "s.var_a", "2023-02", 43)]
    df = _finish(rows)
    rules = {r.meta["vinculos"]["cambio"]: r for r in _expand(_registry(CHANGES, UNITS), df)
             if r.meta["plantilla"] == "cambio.diferencia"}
    assert rules["s.var_m"].expr == "s.var_m == s.stock[fin(t)] - s.stock[fin(m-1)]"
    assert rules["s.var_a"].expr == "s.var_a == s.stock[fin(t)] - s.stock[fin(t-1)]"
    index = FactIndex(df)
    assert list(evaluate_rule(rules["s.var_m"], index).status) == ["pass"]
    assert list(evaluate_rule(rules["s.var_a"], index).status) == ["fail"]  # 130 - 90 = 40 ± 1, not 43 ± 0.5


def test_issue_13_bad_relations_are_reported_where_declared() -> None:
    reg = _registry({"h.total": {"components": ["h.a"]}, "h.r": {"numerator": "h.a"}, "h.g": {"of": "h.a",
                     "form": "raro"}})
    with pytest.raises(InputErrors) as exc:
        build_vocabulary(reg)
    text = str(exc.value)
    assert "at least two components" in text and "both numerator and denominator" in text and "form" in text


def test_issue_13_bad_template_points_at_its_line(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text("plantillas:\n  - id: x\n    titulo: t\n    sobre: galaxias\n    expr: '{a} == 1'\n    kind: suma\n",
                 encoding="utf-8")
    with pytest.raises(RuleError, match=r"t.yaml:4.*sobre 'galaxias'"):
        load_templates([p])
