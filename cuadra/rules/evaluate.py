"""The numpy evaluator: every instance of a rule at once, in interval arithmetic.

One job: walk a rule tree over arrays of bounds (one element per instance) and decide each
instance: ``pass``, ``fail`` or ``indeterminate`` (with the reason). It is the engine behind the
Pandera checks; ``to_sql.py`` is its independent twin behind GX, and Hypothesis proves that the
two agree. Both dispatch on node class and raise :class:`UnsupportedRule` on anything unknown.

Speed (issue 17): the facts are grouped once into integer keys ``(concept, period, scope)``, sorted,
so that finding a rule's instances and its operands is a handful of ``searchsorted`` and set
operations over whole arrays; nothing loops in Python per instance. The facts behind an instance
are kept as group positions and expanded only when someone asks (a failing instance, a finding
written out). ``cuadra.testing.loop_evaluator`` keeps the previous, instance-by-instance evaluator,
and ``tests/test_vectorised.py`` requires both to give the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from cuadra import intervals as iv
from cuadra.errors import UnsupportedRule
from cuadra.rules import periods
from cuadra.rules.catalogue import BuiltinRule, Rule
from cuadra.rules.syntax import BinOp, Call, Compare, Neg, Node, Num, Ref

__all__ = ["ALL", "FactIndex", "FactLists", "GroupFacts", "RuleResult", "evaluate_rule", "shift_period",
           "instances", "instance_key", "NA_STATUSES"]

NA_STATUSES = ("NA", "ND")

Ints = npt.NDArray[np.int64]


def shift_period(period: str, years: int) -> str:
    """``2020-12`` shifted by -1 is ``2019-12``: ``[t-1]`` means the same period a year earlier."""
    if not years:
        return period
    return f"{int(period[:4]) + years}{period[4:]}"


#: Scope of a grouping: every document at once, or one source document.
ALL = "*"


def _ranges(starts: Ints, counts: Ints) -> Ints:
    """``concat(arange(s, s + c) for s, c in zip(starts, counts))``, without the Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(total, dtype=np.int64)


def _codes(values: pd.Series) -> tuple[Ints, npt.NDArray[np.object_]]:
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


class FactIndex:
    """The facts grouped by (concept, period, scope): duplicates intersected once, for every rule.

    Scope ``*`` intersects the statements of every document; a source id intersects only that
    document's. A rule is checked inside each document that states all of its operands (the
    relation a report states is judged on that report's own figures), and across documents only
    where no single document holds them all; disagreement between documents is the duplicate
    family's finding, so it neither hides a report's own inconsistency nor repeats it.

    Layout: concepts, periods and sources are coded in sorted order, so the integer key
    ``(concept · P + period) · S + scope`` (scope 0 = every document, ``1 + source`` otherwise)
    sorts as the strings would. ``keys`` holds each group's key in that order; ``lo``/``hi`` the
    intersection of its members' intervals; ``n_na`` how many are NA/ND; ``indptr``/``indices``
    its member facts (positions in ``facts``), compressed.
    """

    def __init__(self, facts: pd.DataFrame) -> None:
        self.facts = facts
        n = len(facts)
        cc, self.concepts = _codes(facts["concept"])
        pc, periods = _codes(facts["period"])
        sc, self.sources = _codes(facts["source"])
        self.concept_code = {str(c): i for i, c in enumerate(self.concepts)}
        #: Period vocabulary: the dataset's periods (codes < n_periods, sorted) and any period a shift
        #: or a fixed reference names later (appended; such periods hold no facts).
        self.periods: list[str] = [str(p) for p in periods]
        self.period_code = {p: i for i, p in enumerate(self.periods)}
        self.n_periods = n_p = len(self.periods)
        self.n_scopes = ns = len(self.sources) + 1
        self._shifts: dict[object, Ints] = {}
        self._rank: Ints | None = None
        self._period_obj = _objects(self.periods)
        base = (cc * n_p + pc) * ns
        keys2 = _concat(base, base + sc + 1)
        pos2 = _concat(_arange(n), _arange(n))
        order = keys2.argsort(kind="stable")
        sk = keys2[order]
        starts = _run_starts(sk)
        self.keys: Ints = sk[starts]
        self.indptr: Ints = _concat(starts, [len(sk)])
        self.indices: Ints = pos2[order]
        lo = facts["lo"].to_numpy(dtype=np.float64)
        hi = facts["hi"].to_numpy(dtype=np.float64)
        na = facts["status"].isin(NA_STATUSES).to_numpy().astype(np.int64)
        if len(sk):
            # fmax/fmin skip NaN (an NA/ND member has no bounds), as a grouped max/min would.
            self.lo = np.fmax.reduceat(np.concatenate((lo, lo))[order], starts)
            self.hi = np.fmin.reduceat(np.concatenate((hi, hi))[order], starts)
            self.n_na = np.add.reduceat(_concat(na, na)[order], starts)
        else:
            self.lo, self.hi, self.n_na = np.zeros(0), np.zeros(0), _arange(0)
        self.members = GroupMembers(self.indptr, self.indices)
        # The all-documents groups, and for each concept the slice of them it owns.
        self.global_pos: Ints = np.flatnonzero(self.keys % ns == 0)
        gk = self.keys[self.global_pos]
        self._global_concept: Ints = gk // (n_p * ns) if n_p else gk
        self._global_period: Ints = (gk // ns) % n_p if n_p else gk
        self._concept_ptr = np.searchsorted(self._global_concept, _arange(len(self.concepts) + 1))

    # -- decoding --------------------------------------------------------------------------------
    def concept_of(self, groups: Ints) -> npt.NDArray[np.object_]:
        return self.concepts[self.keys[groups] // (self.n_periods * self.n_scopes)]

    def period_of(self, groups: Ints) -> npt.NDArray[np.object_]:
        return self.period_strings()[(self.keys[groups] // self.n_scopes) % self.n_periods]

    def period_strings(self) -> npt.NDArray[np.object_]:
        """The vocabulary as an object array (for indexing by code), rebuilt only when it grew."""
        if len(self._period_obj) != len(self.periods):
            self._period_obj = _objects(self.periods)
        return self._period_obj

    # -- periods ---------------------------------------------------------------------------------
    def code(self, period: str) -> int:
        """The code of a period, appended to the vocabulary when no fact has it."""
        c = self.period_code.get(period)
        if c is None:
            c = self.period_code[period] = len(self.periods)
            self.periods.append(period)
            self._rank = None
        return c

    def shift(self, codes: Ints, years: int) -> Ints:
        """Period codes shifted by ``years`` (the shift table is built once per lag, per period)."""
        if not years or not len(codes):
            return codes
        return self.mapped(codes, years, lambda p: shift_period(p, years))

    def mapped(self, codes: Ints, key: object, fn: Callable[[str], str | None]) -> Ints:
        """``fn`` applied to each period code, through a table built once per ``key``, per period
        (``None`` gives -1: a period the reference cannot read, so the operand is missing)."""
        if not len(codes):
            return codes
        table = self._shifts.get(key, _arange(0))
        n0 = len(self.periods)
        if len(table) < n0:
            extra = [-1 if (q := fn(self.periods[c])) is None else self.code(q) for c in range(len(table), n0)]
            table = self._shifts[key] = _concat(table, extra)
        return np.where(codes >= 0, table[np.maximum(codes, 0)], -1)

    def rank(self) -> Ints:
        """Each period code's place in string order (codes of the dataset's periods are already sorted)."""
        if self._rank is None or len(self._rank) != len(self.periods):
            order = sorted(range(len(self.periods)), key=self.periods.__getitem__)
            r = np.empty(len(order), dtype=np.int64)
            r[order] = _arange(len(order))
            self._rank = r
        return self._rank

    # -- lookups ---------------------------------------------------------------------------------
    def find(self, concept: str, periods: Ints, scopes: Ints) -> Ints:
        """Group position of each (concept, period code, scope code), -1 where no fact is there."""
        c = self.concept_code.get(concept, -1)
        out = np.full(len(periods), -1, dtype=np.int64)
        if c < 0 or not len(self.keys):
            return out
        ok = (periods >= 0) & (periods < self.n_periods)
        key = (c * self.n_periods + np.where(ok, periods, 0)) * self.n_scopes + scopes
        j = np.searchsorted(self.keys, key)
        jc = np.minimum(j, len(self.keys) - 1)
        hit = ok & (self.keys[jc] == key)
        out[hit] = jc[hit]
        return out

    def lookup(self, concept: str, periods: list[str], scopes: list[str] | None = None) -> Ints:
        """String form of :meth:`find` (``scopes`` are source ids or ``*``)."""
        codes = _ints([self.code(p) for p in periods])
        src = {str(s): i + 1 for i, s in enumerate(self.sources)}
        sc = _ints([0 if s == ALL else src.get(s, -1) for s in (scopes or [ALL] * len(periods))])
        out = self.find(concept, codes, np.maximum(sc, 0))
        out[sc < 0] = -1
        return out

    def periods_with(self, concept: str) -> Ints:
        """Period codes where ``concept`` has facts (sorted)."""
        c = self.concept_code.get(concept, -1)
        if c < 0:
            return _arange(0)
        return self._global_period[self._concept_ptr[c]:self._concept_ptr[c + 1]]

    def source_pairs(self, concept: str, periods: Ints) -> Ints:
        """``i · S + scope`` for every document stating ``concept`` at ``periods[i]`` (sorted)."""
        c = self.concept_code.get(concept, -1)
        if c < 0 or not len(self.keys):
            return _arange(0)
        i = np.flatnonzero((periods >= 0) & (periods < self.n_periods))
        base = (c * self.n_periods + periods[i]) * self.n_scopes
        lo = np.searchsorted(self.keys, base + 1)
        cnt = np.searchsorted(self.keys, base + self.n_scopes) - lo
        g = _ranges(lo, cnt)
        return np.repeat(i, cnt) * self.n_scopes + self.keys[g] % self.n_scopes


class GroupMembers:
    """``members[g]``: the fact positions of group ``g`` (a compressed list of lists)."""

    def __init__(self, indptr: Ints, indices: Ints) -> None:
        self.indptr, self.indices = indptr, indices

    def __getitem__(self, g: int) -> Ints:
        return self.indices[self.indptr[g]:self.indptr[g + 1]]

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def union(self, groups: Ints) -> Ints:
        """Every fact of any of ``groups`` (-1 entries ignored), sorted and unique."""
        groups = groups[groups >= 0]
        starts = self.indptr[groups]
        return np.unique(self.indices[_ranges(starts, self.indptr[groups + 1] - starts)])


class FactLists(Sequence[list[int]]):
    """The facts of each instance, as sorted position lists, built only when one is asked for."""

    def positions(self, mask: npt.NDArray[np.bool_]) -> Ints:  # pragma: no cover - interface
        """Every fact of the instances where ``mask`` holds, sorted and unique."""
        raise NotImplementedError


class GroupFacts(FactLists):
    """Instance ``j`` involves the facts of groups ``groups[:, j]`` (a row per operand, -1 = none)."""

    def __init__(self, members: GroupMembers, groups: Ints) -> None:
        self.members, self.groups = members, groups

    def __len__(self) -> int:
        return int(self.groups.shape[1])

    def __getitem__(self, j: int) -> list[int]:  # type: ignore[override]
        return [int(x) for x in self.members.union(self.groups[:, j])]

    def __iter__(self) -> Iterator[list[int]]:
        return (self[j] for j in range(len(self)))

    def positions(self, mask: npt.NDArray[np.bool_]) -> Ints:
        return self.members.union(self.groups[:, mask].ravel())


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
    facts: Sequence[list[int]]

    def __len__(self) -> int:
        return len(self.periods)

    def fact_positions(self, mask: npt.NDArray[np.bool_]) -> Ints:
        """Every fact of the instances where ``mask`` holds (sorted, unique)."""
        if isinstance(self.facts, FactLists):
            return self.facts.positions(mask)
        return np.unique(_ints([x for m, f in zip(mask, self.facts, strict=True) if m for x in f]))


def _target(ref: Ref, codes: Ints, index: FactIndex) -> Ints:
    """The period code each instance reads ``ref`` at (-1 where the shift has no meaning)."""
    if ref.fixed is not None:
        return np.full(len(codes), index.code(ref.fixed), dtype=np.int64)
    if ref.step == "año" and not ref.fin:
        return index.shift(codes, ref.lag)
    return index.mapped(codes, ("target", ref.lag, ref.step, ref.fin), lambda p: periods.target(ref, p))


def _source(ref: Ref, codes: Ints, index: FactIndex) -> Ints:
    """The instance period code at which a relative ``ref`` reads each period (-1 where none)."""
    if ref.step == "año" and not ref.fin:
        return index.shift(codes, -ref.lag)
    out = index.mapped(codes, ("source", ref.lag, ref.step, ref.fin), lambda p: periods.source(ref, p))
    return out[out >= 0]


def _instance_codes(rule: Rule, index: FactIndex) -> tuple[Ints, Ints]:
    """(period code, scope code) of every instance, in period (string) order, then document order.

    Periods: where an unshifted operand exists (else a relative one, moved back); pinned operands
    only: one instance, if the dataset states any of them; ``periodos: completos``: only where every
    operand is stated (issue 13). Scopes: one instance per document stating every operand at that
    period, else one across documents (0).
    """
    refs = rule.refs
    plain = [r for r in refs if r.fixed is None and not r.relative]
    lagged = [r for r in refs if r.relative]
    if plain:
        found = [index.periods_with(r.concept) for r in plain]
    elif lagged:
        found = [_source(r, index.periods_with(r.concept), index) for r in lagged]
    elif any(index.code(r.fixed or "") in index.periods_with(r.concept) for r in refs):
        found = [_ints([index.code(refs[0].fixed or "")])]
    else:
        found = []
    cand = np.unique(_concat(*found)) if found else _arange(0)
    if not len(cand):  # no operand stated anywhere: most rules on a small submission
        return cand, cand
    if rule.periodos is not None:
        cand = cand[np.isin(cand, _ints([index.code(p) for p in rule.periodos]))]
    if getattr(rule, "completos", False):
        for r in dict.fromkeys(refs):
            cand = cand[index.find(r.concept, _target(r, cand, index), np.zeros(len(cand), dtype=np.int64)) >= 0]
    if len(cand) and cand.max() >= index.n_periods:
        cand = cand[index.rank()[cand].argsort(kind="stable")]
    ns = index.n_scopes
    common: Ints | None = None
    for r in dict.fromkeys(refs):
        pairs = index.source_pairs(r.concept, _target(r, cand, index))
        common = pairs if common is None else np.intersect1d(common, pairs, assume_unique=True)
    if common is None:
        common = _arange(0)
    has = np.zeros(len(cand), dtype=bool)
    has[common // ns] = True
    inst = np.sort(_concat(common, np.flatnonzero(~has) * ns))
    return cand[inst // ns], inst % ns


def instances(rule: Rule, index: FactIndex) -> list[tuple[str, str]]:
    """(period, scope) pairs: one per document stating every operand, else one across documents."""
    p, s = _instance_codes(rule, index)
    per = index.period_strings()
    return [(str(per[a]), ALL if b == 0 else str(index.sources[b - 1])) for a, b in zip(p, s, strict=True)]


def instance_key(period: str, scope: str) -> str:
    return period if scope == ALL else f"{period}@{scope}"


@dataclass
class _Env:
    index: FactIndex
    periods: Ints
    scopes: Ints
    missing: npt.NDArray[np.bool_]
    na: npt.NDArray[np.bool_]
    empty: npt.NDArray[np.bool_]
    divzero: npt.NDArray[np.bool_]
    groups: list[Ints]

    def ref(self, node: Ref) -> iv.Bounds:
        """An operand's bounds (the environment decides how operands are found; see ``_DISPATCH``)."""
        return _ref(node, self)


def _ref(node: Ref, env: _Env) -> iv.Bounds:
    idx = env.index
    pos = idx.find(node.concept, _target(node, env.periods, idx), env.scopes)
    found = pos >= 0
    safe = np.where(found, pos, 0)
    if len(idx.keys):
        lo = np.where(found, idx.lo[safe], np.nan)
        hi = np.where(found, idx.hi[safe], np.nan)
        na = idx.n_na[safe] > 0
    else:
        lo = hi = np.full(len(pos), np.nan, dtype=np.float64)
        na = np.zeros(len(pos), dtype=bool)
    env.missing |= ~found
    env.na |= found & na
    env.empty |= found & (lo > hi)
    env.groups.append(pos)
    return iv.Bounds(lo, hi)


def _num(node: Num, env: _Env) -> iv.Bounds:
    v = np.full(len(env.periods), float(node.value), dtype=np.float64)
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


_DISPATCH = {Ref: lambda node, env: env.ref(node), Num: _num, BinOp: _binop, Neg: _neg, Call: _call}


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


REASONS = ("falta un operando", "un operando es NA/ND", "cifras duplicadas inconsistentes en un operando",
           "el divisor puede ser cero")


def instance_keys(index: FactIndex, periods: Ints, scopes: Ints) -> npt.NDArray[np.object_]:
    """``period`` across documents, ``period@source`` inside one (object array, one per instance)."""
    per = index.period_strings()[periods]
    keys = per.copy()
    inside = scopes > 0
    if inside.any():
        keys[inside] = per[inside] + "@" + index.sources[scopes[inside] - 1]
    return keys


def decide(tree: Compare, env: _Env) -> tuple[iv.Bounds, iv.Bounds, npt.NDArray[np.str_], npt.NDArray[np.float64],
                                              npt.NDArray[np.float64]]:
    """Both sides, each instance's status, and the imbalance (absolute, relative) of a rule's tree.

    ``env`` is any environment with the flags of ``_Env`` and a ``ref`` method (the tests' loop
    evaluator shares this walk with its own operand lookup)."""
    with _quiet():
        lhs, rhs = _eval(tree.left, env), _eval(tree.right, env)
        holds = _holds(tree.op, lhs, rhs)
        g = iv.gap(lhs, rhs, tree.op)
        rel = iv.relative_gap(lhs, rhs, g)
    indet = env.missing | env.na | env.empty | env.divzero
    return lhs, rhs, np.where(indet, "indeterminate", np.where(holds, "pass", "fail")), g, rel


def evaluate_rule(rule: Rule, index: FactIndex) -> RuleResult:
    """Evaluate every instance of ``rule``; a missing, NA/ND, inconsistent or zero-divisor operand
    makes the instance indeterminate, never a silent pass."""
    periods, scopes = _instance_codes(rule, index)
    n = len(periods)
    if n == 0:  # most rules on a small submission: skip the tree walk (~40 numpy calls on empty arrays)
        nothing = np.zeros(0)
        return RuleResult(rule, [], [], np.zeros(0, dtype=str), [], iv.Bounds(nothing, nothing),
                          iv.Bounds(nothing, nothing), nothing, nothing,
                          GroupFacts(index.members, np.zeros((0, 0), dtype=np.int64)))
    flags = [np.zeros(n, dtype=bool) for _ in range(4)]
    env = _Env(index, periods, scopes, *flags, [])
    lhs, rhs, status, g, rel = decide(rule.tree, env)
    reason = np.full(n, "", dtype=object)
    for flag, text in reversed(list(zip((env.missing, env.na, env.empty, env.divzero), REASONS, strict=True))):
        reason[flag] = text  # the first reason that applies wins: written last
    groups = np.vstack(env.groups) if env.groups else np.full((0, n), -1, dtype=np.int64)
    return RuleResult(rule, instance_keys(index, periods, scopes).tolist(),
                      index.period_strings()[periods].tolist(), status.astype(str), reason.tolist(), lhs, rhs, g,
                      rel, GroupFacts(index.members, groups))


# -- small numpy helpers ---------------------------------------------------------------------------

def _quiet() -> object:
    return np.errstate(invalid="ignore", over="ignore")


def _arange(n: int) -> Ints:
    return np.arange(n, dtype=np.int64)


def _ints(values: object) -> Ints:
    return np.asarray(values, dtype=np.int64)


def _concat(*parts: object) -> Ints:
    return np.concatenate([_ints(p) for p in parts]) if parts else _arange(0)


def _objects(values: list[str]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _run_starts(sorted_keys: Ints) -> Ints:
    """Where each run of equal keys starts."""
    if not len(sorted_keys):
        return _arange(0)
    return np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
