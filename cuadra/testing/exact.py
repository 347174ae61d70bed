"""A third evaluator, exact: interval arithmetic in rational numbers (``fractions.Fraction``).

One job: decide a rule instance without any floating point, as the yardstick for the production
evaluators. The numpy evaluator and the SQL compiler widen every float bound by a few ulps so that
they never accuse a consistent figure; this module shows what the exact answer is, so tests and the
mutation score can tell "caught" and "false alarm" from "beyond tolerance" independently of the
float code under test. Slow (Python objects per bound) and only meant for tests.
"""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from cuadra.rules import periods
from cuadra.rules.catalogue import Rule
from cuadra.rules.evaluate import ALL, NA_STATUSES, FactIndex, instances
from cuadra.rules.syntax import BinOp, Call, Neg, Node, Num, Ref

__all__ = ["fact_interval", "exact_statuses"]

Iv = tuple[Fraction, Fraction]


def fact_interval(value: float, decimals: int, scale: int, rounding: str) -> Iv:
    """The exact interval of a published figure (the value's shortest decimal repr is what was printed)."""
    v = Fraction(repr(float(value)))
    step = Fraction(1, 10 ** int(decimals))
    p = Fraction(10) ** int(scale)
    if rounding == "exact":
        lo = hi = v
    elif rounding == "truncate":
        lo, hi = (v, v + step) if v > 0 else (v - step, v) if v < 0 else (-step, step)
    elif rounding in ("approx", "above", "below"):
        u = step
        if int(decimals) == 0 and v != 0 and v.denominator == 1:
            u = Fraction(max((10**k for k in range(13) if v.numerator % 10**k == 0), default=1))
        lo = v if rounding == "above" else v - u
        hi = v if rounding == "below" else v + u
    else:
        lo, hi = v - step / 2, v + step / 2
    return lo * p, hi * p


class _Indeterminate(Exception):
    pass


def _eval(node: Node, env: dict[Ref, Iv]) -> Iv:
    if isinstance(node, Ref):
        return env[node]
    if isinstance(node, Num):
        x = Fraction(node.value)
        return x, x
    if isinstance(node, Neg):
        lo, hi = _eval(node.operand, env)
        return -hi, -lo
    if isinstance(node, BinOp):
        (al, ah), (bl, bh) = _eval(node.left, env), _eval(node.right, env)
        if node.op == "+":
            return al + bl, ah + bh
        if node.op == "-":
            return al - bh, ah - bl
        if node.op == "*":
            ps = (al * bl, al * bh, ah * bl, ah * bh)
            return min(ps), max(ps)
        if node.op == "/":
            if bl <= 0 <= bh:
                raise _Indeterminate
            qs = (al / bl, al / bh, ah / bl, ah / bh)
            return min(qs), max(qs)
    if isinstance(node, Call):
        args = [_eval(a, env) for a in node.args]
        if node.fn == "abs":
            lo, hi = args[0]
            return (lo if lo >= 0 else -hi if hi <= 0 else Fraction(0)), max(abs(lo), abs(hi))
        if node.fn == "sum":
            return sum((a[0] for a in args), Fraction(0)), sum((a[1] for a in args), Fraction(0))
        pick = min if node.fn == "min" else max
        return pick(a[0] for a in args), pick(a[1] for a in args)
    raise TypeError(f"unknown node {node!r}")


def _holds(op: str, a: Iv, b: Iv) -> bool:
    return {"==": a[0] <= b[1] and b[0] <= a[1], "<=": a[0] <= b[1], "<": a[0] < b[1],
            ">=": b[0] <= a[1], ">": b[0] < a[1]}[op]


def exact_statuses(rule: Rule, facts: pd.DataFrame) -> dict[str, str]:
    """Instance key → status, decided exactly over the same instances as the production evaluators."""
    index = FactIndex(facts)
    rows = list(facts[["concept", "period", "source", "value", "decimals", "scale", "rounding", "status"]]
                .itertuples(index=False, name=None))
    out: dict[str, str] = {}
    for period, scope in instances(rule, index):
        env: dict[Ref, Iv] = {}
        status = ""
        for r in rule.refs:
            target = periods.target(r, period) or ""
            mine = [x for x in rows if x[0] == r.concept and x[1] == target and (scope == ALL or x[2] == scope)]
            if not mine or any(x[7] in NA_STATUSES for x in mine):
                status = "indeterminate"
                break
            ivs = [fact_interval(x[3], x[4], x[5], x[6]) for x in mine]
            lo, hi = max(i[0] for i in ivs), min(i[1] for i in ivs)
            if lo > hi:
                status = "indeterminate"
                break
            env[r] = (lo, hi)
        if not status:
            try:
                status = "pass" if _holds(rule.tree.op, _eval(rule.tree.left, env), _eval(rule.tree.right, env)) \
                    else "fail"
            except _Indeterminate:
                status = "indeterminate"
        out[period if scope == ALL else f"{period}@{scope}"] = status
    return out
