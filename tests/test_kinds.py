"""Issue 4: for each rule kind, a hand-made dataset that must pass — only because of rounding —
and one that must fail by just more than the rounding allows (tests/fixtures/kinds/)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import Concept, Registry, Unit
from cuadra.rules.catalogue import KINDS, load_catalogue
from cuadra.rules.evaluate import FactIndex, evaluate_rule
from cuadra.rules.to_sql import rule_sql
from cuadra.testing.exact import exact_statuses
from expectations.suite import SQL_COLUMNS

HERE = Path(__file__).resolve().parent / "fixtures" / "kinds"
RULES = {r.kind: r for r in load_catalogue([HERE / "rules.yaml"])}


def _facts(path: Path):  # type: ignore[no-untyped-def]
    reg = Registry(units={"unidades": Unit("unidades", "unidades")})
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        c = line.split(",", 1)[0]
        reg.concepts[c] = Concept(c, c, "", "unidades", "flow", rango=None)
    return load_facts(path, reg).facts


def _verdicts(kind: str, case: str) -> tuple[dict[str, str], dict[str, str], dict[str, str], float]:
    rule, df = RULES[kind], _facts(HERE / f"{kind}.{case}.csv")
    res = evaluate_rule(rule, FactIndex(df))
    con = sqlite3.connect(":memory:")
    df[SQL_COLUMNS].to_sql("facts", con, index=False)
    sql = {str(k): s for k, s, *_ in con.execute(rule_sql(rule).replace("{batch}", "facts"))}
    verdicts = dict(zip(res.keys, map(str, res.status), strict=True))
    return verdicts, sql, exact_statuses(rule, df), float(np.nanmax(res.gap))


def test_every_kind_has_a_case() -> None:
    assert set(RULES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_passes_only_because_of_rounding(kind: str) -> None:
    numpy_, sql, exact, gap = _verdicts(kind, "valid")
    assert set(numpy_.values()) == {"pass"} and numpy_ == sql == exact and gap == 0


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_fails_by_just_more_than_rounding_allows(kind: str) -> None:
    numpy_, sql, exact, gap = _verdicts(kind, "invalid")
    assert "fail" in numpy_.values() and numpy_ == sql == exact and gap > 0


HEADER = "concept,period,value,unit,scale,decimals,rounding,status,source,locator,quote,published,lectura\n"


@pytest.mark.parametrize(("printed", "status", "named"), [
    ("253.9", "fail",
     "253.9 miles (a.txt:1) es el truncamiento de 253,957 (b.txt:2), no su redondeo, que sería 254.0 miles"),
    ("254.0", "pass", ""),     # rounded as the precision says: nothing to name
    ("253.8", "fail", ""),     # neither rounded nor truncated: a plain discrepancy
])
def test_duplicate_names_a_truncation(tmp_path: Path, printed: str, status: str, named: str) -> None:
    """Issue 4 (unit conventions): 253.9 miles for a count of 253,957 is a truncation, and says so."""
    from cuadra.rules.builtins import duplicates

    p = tmp_path / "t.csv"
    p.write_text(HEADER + f"g.lugares,2020,{printed},unidades,3,1,nearest,final,a.txt,1,q,,\n"
                 "g.lugares,2020,253957,unidades,0,0,exact,final,b.txt,2,q,,\n", encoding="utf-8")
    res = duplicates(FactIndex(_facts(p)))
    assert list(res.status) == [status]
    assert res.reason[0] == (f"convención de redondeo: {named}" if named else "")
