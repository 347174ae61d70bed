"""Relative periods (issue 13): the calendar table, and the SQL lowering agrees with Python."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from cuadra.rules import periods
from cuadra.rules.syntax import Ref, parse_expr, unparse
from cuadra.rules.to_sql import _source, _target

TABLE = [  # (written, t, period read)
    ("x[t-1]", "2020-05", "2019-05"),
    ("x[t-1]", "2020", "2019"),
    ("x[m-1]", "2020-05", "2020-04"),
    ("x[m-1]", "2020-01", "2019-12"),
    ("x[m-1]", "2020", None),
    ("x[q-1]", "2020-05", "2020-02"),
    ("x[m-1]", "2020-03-31", "2020-02-29"),
    ("x[m-1]", "2020-03-30", None),
    ("x[m-1]", "2020-03-15", "2020-02-15"),
    ("x[fin(t)]", "2020", "2020-12-31"),
    ("x[fin(t)]", "2021-02", "2021-02-28"),
    ("x[fin(t-1)]", "2020", "2019-12-31"),  # and back: a year-end date read as fin(t-1) is t = 2020
    ("x[fin(t-1)]", "2020-05", "2019-05-31"),
    ("x[fin(m-1)]", "2020-05", "2020-04-30"),
    ('x["2019-12"]', "2020", "2019-12"),
]


@pytest.mark.parametrize(("written", "t", "expected"), TABLE)
def test_issue_13_reference_reads_the_period_of_the_table(written: str, t: str, expected: str | None) -> None:
    ref = parse_expr(f"a.{written} == 0").left
    assert isinstance(ref, Ref)
    assert periods.target(ref, t) == expected
    if expected is not None and ref.fixed is None and not ref.fin:
        assert periods.source(ref, expected) == t


def test_issue_13_period_text_round_trips() -> None:
    tree = parse_expr('a.x == a.y[t-1] + a.z[m-1] + a.w[fin(t-1)] + a.v[fin(m-1)] + a.u[q+2] + a.s["2019"]')
    assert parse_expr(unparse(tree)) == tree


def test_issue_13_sql_calendar_is_the_python_calendar() -> None:
    con = sqlite3.connect(":memory:")
    shapes = ["2020", "2021", "2020-01", "2020-02", "2020-12", "2020-02-29", "2021-02-28", "2020-03-30",
              "2020-03-31", "2019-12-31", "2020-01-15", "2020-05-31", "2020-06-30"]
    for lag, step, fin in itertools.product([-13, -5, -1, 0, 1, 4], periods.STEPS, [False, True]):
        ref = Ref("a.b", lag=lag, step=step if lag else "año", fin=fin)
        for p in shapes:
            assert con.execute(f"SELECT {_target(ref, repr(p))}").fetchone()[0] == periods.target(ref, p), (ref, p)
            assert con.execute(f"SELECT {_source(ref, repr(p))}").fetchone()[0] == periods.source(ref, p), (ref, p)


def test_issue_13_period_end_inverts_to_a_year_or_a_month() -> None:
    assert periods.source(Ref("a.b", lag=-1, fin=True), "2019-12-31") == "2020"
    assert periods.source(Ref("a.b", lag=-1, step="mes", fin=True), "2020-04-30") == "2020-05"
    assert periods.source(Ref("a.b", lag=-1, fin=True), "2019-11-30") is None
