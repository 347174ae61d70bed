"""cuadra/rules/syntax.py: the whitelisted rule language (issue 2, item 6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuadra.rules.syntax import BinOp, Call, Compare, Ref, RuleSyntaxError, parse_expr, refs, unparse


def test_parse_tree() -> None:
    t = parse_expr("a.total == sum(a.x, a.y[t-1]) - abs(a.z['2019-12']) * 100")
    assert isinstance(t, Compare) and t.op == "=="
    assert t.left == Ref("a.total")
    assert isinstance(t.right, BinOp) and isinstance(t.right.left, Call)
    assert refs(t) == [Ref("a.total"), Ref("a.x"), Ref("a.y", lag=-1), Ref("a.z", fixed="2019-12")]


@pytest.mark.parametrize("bad", [
    "a.x + 1",                      # not a comparison
    "a.x == __import__('os')",      # calls outside the whitelist
    "a.x == b.y.__class__",        # attribute tricks are just dotted ids, but...
    "a.x == lambda: 1",
    "a.x == b[t*2]",
    "a.x == x",                     # undotted name
    "a.x < b.y < c.z",              # chained comparison
    "a.x == 'texto'",
    "a.x ==",
    "a.x == b.y ** 2",
])
def test_rejects(bad: str) -> None:
    if bad == "a.x == b.y.__class__":
        # A dunder segment is still a dotted id syntactically; the catalogue rejects it as an
        # unknown concept, so the language never evaluates attributes.
        assert refs(parse_expr(bad))[1].concept == "b.y.__class__"
        return
    with pytest.raises(RuleSyntaxError):
        parse_expr(bad)


def test_error_points_at_column() -> None:
    with pytest.raises(RuleSyntaxError) as exc:
        parse_expr("a.x == foo(a.y)")
    assert exc.value.col == 7


names = st.sampled_from(["a.x", "a.y", "b.total", "c.d.e"])
leaves = st.one_of(
    names.map(str),
    st.tuples(names, st.integers(-3, 3)).map(lambda p: f"{p[0]}[t{p[1]:+d}]"),
    st.integers(0, 10_000).map(str),
    st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False).map(str),
)
exprs = st.recursive(
    leaves,
    lambda sub: st.one_of(
        st.tuples(sub, st.sampled_from("+-*/"), sub).map(lambda p: f"({p[0]} {p[1]} {p[2]})"),
        st.lists(sub, min_size=1, max_size=3).map(lambda xs: f"sum({', '.join(xs)})"),
        sub.map(lambda x: f"abs({x})"),
    ),
    max_leaves=8,
)


@given(exprs, st.sampled_from(["==", "<=", "<", ">=", ">"]), exprs)
def test_unparse_round_trip(left: str, op: str, right: str) -> None:
    tree = parse_expr(f"{left} {op} {right}")
    assert parse_expr(unparse(tree)) == tree
