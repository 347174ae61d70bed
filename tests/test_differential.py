"""The two evaluators agree: numpy (behind Pandera) and the SQL compiler (behind GX), per instance.

Hypothesis draws small fact tables with duplicates, NA/ND, zeros, negatives, every rounding mode
and scale, and rules of every operator; both evaluators must give the same status for every
instance key. The full GX path is exercised end to end in test_cli.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from cuadra.contract.facts import _finish
from cuadra.rules.builtins import evaluate_builtins
from cuadra.rules.catalogue import load_catalogue
from cuadra.rules.evaluate import FactIndex, evaluate_rule
from cuadra.rules.to_sql import duplicate_sql, published_sql, range_sql, rule_sql
from expectations.suite import SQL_COLUMNS

CONCEPTS = ["a.total", "a.x", "a.y", "a.g"]
RULES = [
    "a.total == a.x + a.y",
    "a.total == sum(a.x, a.y, a.g)",
    "a.total >= a.x",
    "a.x < a.y",
    "(a.total / a.total[t-1] - 1) * 100 == a.g",
    "a.x / a.y * 100 == a.g",
    "abs(a.x - a.y) <= a.total",
    "min(a.x, a.y) * 2.5 > -a.total",
    "a.total - a.x['2020'] == a.y[t+1]",
    "max(a.x, a.y) / (a.total - a.x) == 1.5",
    "a.x['2020'] <= a.y['2021']",  # pinned operands only: an instance only where one is stated (issue 13)
    "a.total == a.x[m-1] + a.y[fin(t-1)]",  # months and period ends: nothing to read in a year
]
#: Rules with ``periodos: completos``: instances only where every operand is stated (issue 13).
COMPLETE = ["a.total == a.x + a.y[t-1]", "(a.total / a.total[t-1] - 1) * 100 == a.g"]


@st.composite
def fact_tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 14))
    rows = []
    for i in range(n):
        status = draw(st.sampled_from(["final", "final", "final", "preliminar", "NA", "ND"]))
        decimals = draw(st.integers(0, 3))
        mag = draw(st.sampled_from([0, 1, 1000, 1e6, 1e12]))
        value = np.nan if status in ("NA", "ND") else round(
            draw(st.floats(-1, 1, allow_nan=False)) * mag, decimals)
        rows.append({
            "fact_id": f"f.csv:{i + 2}", "concept": draw(st.sampled_from(CONCEPTS)),
            "period": draw(st.sampled_from(["2019", "2020", "2021"])), "value": value,
            "unit": "unidades", "scale": draw(st.sampled_from([0, 3, 6])), "decimals": decimals,
            "rounding": draw(st.sampled_from(["nearest", "truncate", "exact", "approx", "above", "below"])),
            "status": status,
            "source": draw(st.sampled_from(["s.txt", "u.txt"])), "locator": "1", "quote": "q",
            "published": "", "lectura": draw(st.sampled_from(["", "", "OCR: coma perdida"])),
            "pub_value": np.nan, "pub_scale": np.nan, "pub_decimals": np.nan, "pub_error": "",
            "rango_min": draw(st.sampled_from([np.nan, 0.0])), "rango_max": 100.0,
        })
    for r in rows:  # a printed text that reads as the value, as another value, or not at all
        choice = draw(st.sampled_from(["none", "same", "other", "bad"]))
        if choice == "none" or r["status"] in ("NA", "ND"):
            continue
        r["published"] = "x"
        if choice == "bad":
            r["pub_error"] = "no se lee"
        else:
            r["pub_value"] = r["value"] if choice == "same" else r["value"] + 1
            r["pub_decimals"] = r["decimals"]
            r["pub_scale"] = draw(st.sampled_from([np.nan, float(r["scale"]), 9.0]))
    return _finish(rows)


def _sql_statuses(df: pd.DataFrame, sql: str) -> dict[str, str]:
    con = sqlite3.connect(":memory:")
    df[SQL_COLUMNS].to_sql("facts", con, index=False)
    return {str(k): s for k, s, *_ in con.execute(sql.replace("{batch}", "facts"))}


_rules_cache: dict[str, object] = {}


def _rules(tmp: Path) -> list:  # type: ignore[type-arg]
    if "r" not in _rules_cache:
        text = "".join(f"- id: r{i}\n  titulo: t\n  expr: \"{e}\"\n  kind: formula\n"
                       f"  fuentes: [\"000_18269b3800bc8850.txt:1\"]\n" for i, e in enumerate(RULES))
        text += "".join(f"- id: c{i}\n  titulo: t\n  expr: \"{e}\"\n  kind: formula\n  periodos: completos\n"
                        f"  fuentes: [\"000_18269b3800bc8850.txt:1\"]\n" for i, e in enumerate(COMPLETE))
        p = tmp / "rules.yaml"
        p.write_text(text, encoding="utf-8")
        _rules_cache["r"] = load_catalogue([p], set(CONCEPTS))
    return _rules_cache["r"]  # type: ignore[return-value]


@given(fact_tables())
def test_numpy_and_sql_agree_on_every_instance(tmp_path_factory, df: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    index = FactIndex(df)
    for rule in _rules(tmp_path_factory.mktemp("r")):
        res = evaluate_rule(rule, index)
        numpy_statuses = dict(zip(res.keys, map(str, res.status), strict=True))
        assert numpy_statuses == _sql_statuses(df, rule_sql(rule)), rule.expr
    for res, sql in zip(evaluate_builtins(index), (duplicate_sql(), published_sql(), range_sql()), strict=True):
        assert dict(zip(res.keys, map(str, res.status), strict=True)) == _sql_statuses(df, sql), res.rule.id


def test_issue_2_deep_rule_compiles_to_linear_sql(tmp_path: Path) -> None:
    """Regression: a 30-term sum once made SQLite inline every bound twice per layer (2^30 terms)."""
    expr = "a.total == " + " + ".join(["a.x", "a.y"] * 15)
    p = tmp_path / "deep.yaml"
    p.write_text(f'- {{id: d, titulo: t, expr: "{expr}", kind: suma, fuentes: ["000_18269b3800bc8850.txt:1"]}}\n',
                 encoding="utf-8")
    rule = load_catalogue([p])[0]
    df = _finish([{"fact_id": f"f:{i}", "concept": c, "period": "2020", "value": v, "unit": "unidades", "scale": 0,
                   "decimals": 0, "rounding": "nearest", "status": "final", "source": "s.txt", "locator": "1",
                   "quote": "q", "published": "", "lectura": "", "pub_value": np.nan, "pub_scale": np.nan,
                   "pub_decimals": np.nan, "pub_error": "", "rango_min": np.nan, "rango_max": np.nan}
                  for i, (c, v) in enumerate([("a.total", 45.0), ("a.x", 1.0), ("a.y", 2.0)])])
    res = evaluate_rule(rule, FactIndex(df))
    assert dict(zip(res.keys, map(str, res.status), strict=True)) == _sql_statuses(df, rule_sql(rule)) == {
        "2020@s.txt": "pass"}


@given(fact_tables())
def test_results_table_equals_each_rules_own_query(tmp_path_factory, df: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """Issue 17: the GX backend reads every instance from one results table (facts grouped once);
    each rule's rows there are exactly what its standalone compiled query returns."""
    from expectations.suite import RESULTS, write_results

    rules = _rules(tmp_path_factory.mktemp("r"))
    con = sqlite3.connect(":memory:")
    df[SQL_COLUMNS].to_sql("facts", con, index=False)
    assert write_results(con, rules) == {}
    items = [("duplicado", duplicate_sql()), ("publicado", published_sql()), ("rango", range_sql()),
             *((r.id, rule_sql(r)) for r in rules)]
    for rid, sql in items:
        table = con.execute(f"SELECT key, status, lhs_lo, lhs_hi, rhs_lo, rhs_hi FROM {RESULTS} WHERE regla = ? "
                            "ORDER BY rowid", (rid,)).fetchall()
        assert sorted(table, key=repr) == sorted(con.execute(sql.replace("{batch}", "facts")).fetchall(), key=repr), rid


@given(fact_tables())
def test_family_queries_return_every_finding_of_their_rules(tmp_path_factory, df: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    """Issue 17: one GX expectation per family reads, per rule, exactly the instances of the results
    table that are neither pass nor a documented reading; a family split in parts loses none."""
    from cuadra.rules.catalogue import BUILTINS
    from expectations.suite import RESULTS, families, family_query, family_rows, write_families, write_results

    rules = _rules(tmp_path_factory.mktemp("r"))
    con = sqlite3.connect(":memory:")
    con.row_factory = sqlite3.Row
    df[SQL_COLUMNS].to_sql("facts", con, index=False)
    assert write_results(con, rules) == {}
    groups = families([*BUILTINS.values(), *rules], most=3)
    assert sorted(r.id for members in groups.values() for r in members) == sorted([*BUILTINS, *(r.id for r in rules)])
    assert all(len(members) <= 3 for members in groups.values()) and any("parte 2" in n for n in groups)
    write_families(con, groups)
    found: dict[str, dict[str, str]] = {}
    for name in groups:
        rows = [dict(row) for row in con.execute(family_query(name).replace("{batch}", "facts"))]
        for rid, instances in family_rows(rows).items():
            assert rid not in found and instances
            found[rid] = {i["key"]: i["status"] for i in instances}
    expected: dict[str, dict[str, str]] = {}
    for rid, key, status in con.execute(f"SELECT regla, key, status FROM {RESULTS}"):
        if status not in ("pass", "waived"):
            expected.setdefault(rid, {})[key] = status
    assert found == expected
