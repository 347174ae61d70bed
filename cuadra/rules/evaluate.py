"""The numpy evaluator: every instance of a rule at once, in interval arithmetic.

One job: walk a rule tree over arrays of bounds (one element per instance period) and decide each
instance: ``pass``, ``fail`` or ``indeterminate`` (with the reason). It is the engine behind the
Pandera checks; ``to_sql.py`` is its independent twin behind GX, and Hypothesis proves that the
two agree. Both dispatch on node class and raise :class:`UnsupportedRule` on anything unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from cuadra import intervals as iv
from cuadra.errors import UnsupportedRule
from cuadra.rules import periods
from cuadra.rules.catalogue import BuiltinRule, Rule
from cuadra.rules.syntax import BinOp, Call, Compare, Neg, Node, Num, Ref

__all__ = ["ALL", "FactIndex", "RuleResult", "evaluate_rule", "shift_period", "candidate_periods", "instances",
           "instance_key"]

NA_STATUSES = ("NA", "ND")


def shift_period(period: str, years: int) -> str:
    """``2020-12`` shifted by -1 is ``2019-12``: ``[t-1]`` means the same period a year earlier."""
    if not years:
        return period
    return f"{int(period[:4]) + years}{period[4:]}"


#: Scope of a grouping: every document at once, or one source document.
ALL = "*"


@dataclass
class FactIndex:
    """The facts grouped by (concept, period, scope): duplicates intersected once, for every rule.

    Scope ``*`` intersects the statements of every document; a source id intersects only that
    document's. A rule is checked inside each document that states all of its operands (the
    relation a report states is judged on that report's own figures), and across documents only
    where no single document holds them all; disagreement between documents is the duplicate
    family's finding, so it neither hides a report's own inconsistency nor repeats it.
    """

    facts: pd.DataFrame
    keys: pd.Index = field(init=False)
    lo: npt.NDArray[np.float64] = field(init=False)
    hi: npt.NDArray[np.float64] = field(init=False)
    n_na: npt.NDArray[np.int64] = field(init=False)
    members: list[npt.NDArray[np.int64]] = field(init=False)
    periods_by_concept: dict[str, list[str]] = field(init=False)
    sources_of: dict[tuple[str, str], frozenset[str]] = field(init=False)

    def __post_init__(self) -> None:
        f = self.facts
        base = f["concept"].astype(str) + "\x1f" + f["period"].astype(str) + "\x1f"
        na = f["status"].isin(NA_STATUSES).to_numpy().astype(np.int64)
        pos = np.arange(len(f))
        g = pd.concat([
            pd.DataFrame({"key": base + ALL, "lo": f["lo"].to_numpy(), "hi": f["hi"].to_numpy(), "na": na,
                          "pos": pos}),
            pd.DataFrame({"key": base + f["source"].astype(str), "lo": f["lo"].to_numpy(),
                          "hi": f["hi"].to_numpy(), "na": na, "pos": pos}),
        ], ignore_index=True)
        grouped = g.groupby("key", sort=True)
        agg = grouped.agg(lo=("lo", "max"), hi=("hi", "min"), na=("na", "sum"))
        self.keys = agg.index
        self.lo = agg["lo"].to_numpy(dtype=np.float64)
        self.hi = agg["hi"].to_numpy(dtype=np.float64)
        self.n_na = agg["na"].to_numpy(dtype=np.int64)
        idx = grouped.indices
        positions = g["pos"].to_numpy()
        self.members = [np.sort(positions[idx[k]]) for k in self.keys]
        by: dict[str, list[str]] = {}
        sources: dict[tuple[str, str], set[str]] = {}
        for k in self.keys:
            c, p, scope = k.split("\x1f", 2)
            if scope == ALL:
                by.setdefault(c, []).append(p)
            else:
                sources.setdefault((c, p), set()).add(scope)
        self.periods_by_concept = by
        self.sources_of = {k: frozenset(v) for k, v in sources.items()}

    def lookup(self, concept: str, periods: list[str], scopes: list[str] | None = None) -> npt.NDArray[np.int64]:
        scopes = scopes or [ALL] * len(periods)
        return self.keys.get_indexer([f"{concept}\x1f{p}\x1f{s}" for p, s in zip(periods, scopes, strict=True)])

    def global_groups(self) -> list[tuple[str, str, int]]:
        """(concept, period, position) of every all-documents group, for the duplicate family."""
        out = []
        for i, k in enumerate(self.keys):
            c, p, scope = k.split("\x1f", 2)
            if scope == ALL:
                out.append((c, p, i))
        return out


@dataclass
class RuleResult:
    """The instances of one rule: parallel arrays, one element per instance."""

    rule: Rule | BuiltinRule
    keys: list[str]
    periods: list[str]
    status: npt.NDArray[np.str_]
    reason: list[str]
    lhs: iv.Bounds
    rhs: iv.Bounds
    gap: npt.NDArray[np.float64]
    rel_gap: npt.NDArray[np.float64]
    facts: list[list[int]]

    def __len__(self) -> int:
        return len(self.periods)


def candidate_periods(rule: Rule, index: FactIndex) -> list[str]:
    """The instance periods: where an unshifted operand exists (else a shifted one, moved back)."""
    refs = rule.refs
    plain = [r for r in refs if r.fixed is None and not r.relative]
    lagged = [r for r in refs if r.relative]
    found: set[str] = set()
    for r in plain:
        found.update(index.periods_by_concept.get(r.concept, ()))
    if not plain:
        for r in lagged:
            found.update(t for p in index.periods_by_concept.get(r.concept, ()) if (t := periods.source(r, p)))
    if not plain and not lagged and any(r.fixed in index.periods_by_concept.get(r.concept, ()) for r in refs):
        found.add(refs[0].fixed or "")  # pinned operands only: one instance, if the dataset states any of them
    if rule.periodos is not None:
        found &= set(rule.periodos)
    if getattr(rule, "completos", False):
        stated = index.periods_by_concept
        found = {t for t in found if all(periods.target(r, t) in stated.get(r.concept, ()) for r in refs)}
    return sorted(found)


def _target(ref: Ref, period: str) -> str:
    return periods.target(ref, period) or ""


def instances(rule: Rule, index: FactIndex) -> list[tuple[str, str]]:
    """(period, scope) pairs: one per document stating every operand, else one across documents."""
    out: list[tuple[str, str]] = []
    refs = rule.refs
    for t in candidate_periods(rule, index):
        common: frozenset[str] | None = None
        for r in refs:
            srcs = index.sources_of.get((r.concept, _target(r, t)), frozenset())
            common = srcs if common is None else common & srcs
        if common:
            out.extend((t, src) for src in sorted(common))
        else:
            out.append((t, ALL))
    return out


def instance_key(period: str, scope: str) -> str:
    return period if scope == ALL else f"{period}@{scope}"


@dataclass
class _Env:
    index: FactIndex
    periods: list[str]
    scopes: list[str]
    missing: npt.NDArray[np.bool_]
    na: npt.NDArray[np.bool_]
    empty: npt.NDArray[np.bool_]
    divzero: npt.NDArray[np.bool_]
    facts: list[list[int]]


def _ref(node: Ref, env: _Env) -> iv.Bounds:
    idx = env.index
    targets = [_target(node, p) for p in env.periods]
    pos = idx.lookup(node.concept, targets, env.scopes)
    found = pos >= 0
    safe = np.where(found, pos, 0)
    lo = np.where(found, idx.lo[safe], np.nan)
    hi = np.where(found, idx.hi[safe], np.nan)
    env.missing |= ~found
    env.na |= found & (idx.n_na[safe] > 0)
    env.empty |= found & (lo > hi)
    for i, p in enumerate(pos):
        if p >= 0:
            env.facts[i].extend(int(x) for x in idx.members[p])
    return iv.Bounds(lo, hi)


def _num(node: Num, env: _Env) -> iv.Bounds:
    v = np.full(len(env.periods), float(node.value))
    return iv.Bounds(v, v.copy())


def _binop(node: BinOp, env: _Env) -> iv.Bounds:
    a, b = _eval(node.left, env), _eval(node.right, env)
    if node.op == "+":
        return iv.add(a, b)
    if node.op == "-":
        return iv.sub(a, b)
    if node.op == "*":
        return iv.mul(a, b)
    if node.op == "/":
        env.divzero |= iv.contains_zero(b)
        return iv.div(a, b)
    raise UnsupportedRule(f"operator {node.op!r}")


def _neg(node: Neg, env: _Env) -> iv.Bounds:
    return iv.neg(_eval(node.operand, env))


def _call(node: Call, env: _Env) -> iv.Bounds:
    args = [_eval(a, env) for a in node.args]
    if node.fn == "abs":
        return iv.absolute(args[0])
    fold = {"sum": iv.add, "min": iv.minimum, "max": iv.maximum}.get(node.fn)
    if fold is None:
        raise UnsupportedRule(f"function {node.fn!r}")
    acc = args[0]
    for a in args[1:]:
        acc = fold(acc, a)
    return acc


_DISPATCH = {Ref: _ref, Num: _num, BinOp: _binop, Neg: _neg, Call: _call}


def _eval(node: Node, env: _Env) -> iv.Bounds:
    fn = _DISPATCH.get(type(node))
    if fn is None:
        raise UnsupportedRule(f"the numpy evaluator does not know {type(node).__name__}")
    return fn(node, env)  # type: ignore[operator]


def _holds(op: str, a: iv.Bounds, b: iv.Bounds) -> npt.NDArray[np.bool_]:
    if op == "==":
        return iv.equal(a, b)
    if op == "<=":
        return iv.less_equal(a, b)
    if op == "<":
        return iv.less(a, b)
    if op == ">=":
        return iv.less_equal(b, a)
    if op == ">":
        return iv.less(b, a)
    raise UnsupportedRule(f"comparison {op!r}")


def evaluate_rule(rule: Rule, index: FactIndex) -> RuleResult:
    """Evaluate every instance of ``rule``; a missing, NA/ND, inconsistent or zero-divisor operand
    makes the instance indeterminate, never a silent pass."""
    insts = instances(rule, index)
    periods = [p for p, _ in insts]
    scopes = [s for _, s in insts]
    n = len(insts)
    env = _Env(index, periods, scopes, np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool),
               np.zeros(n, bool), [[] for _ in range(n)])
    tree: Compare = rule.tree
    with np.errstate(invalid="ignore", over="ignore"):
        lhs, rhs = _eval(tree.left, env), _eval(tree.right, env)
        holds = _holds(tree.op, lhs, rhs)
        g = iv.gap(lhs, rhs, tree.op)
        rel = iv.relative_gap(lhs, rhs, g)
    indet = env.missing | env.na | env.empty | env.divzero
    status = np.where(indet, "indeterminate", np.where(holds, "pass", "fail"))
    reason = [
        "falta un operando" if env.missing[i] else
        "un operando es NA/ND" if env.na[i] else
        "cifras duplicadas inconsistentes en un operando" if env.empty[i] else
        "el divisor puede ser cero" if env.divzero[i] else ""
        for i in range(n)
    ]
    facts = [sorted(set(f)) for f in env.facts]
    keys = [instance_key(p, s) for p, s in insts]
    return RuleResult(rule, keys, periods, status.astype(str), reason, lhs, rhs, g, rel, facts)
