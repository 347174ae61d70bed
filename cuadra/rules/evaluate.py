"""The numpy evaluator: every instance of every rule at once, in interval arithmetic.

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

Rules are evaluated in one batch (:func:`evaluate_rules`): the fixed numpy cost per rule was most of
the time (713 rules). The instances of all rules are enumerated together, their operands looked up
together, and the rules of one shape (``cuadra.rules.shapes``) walked together, in the same
interval operations in the same order as one rule alone, so every bound is bit-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from cuadra import intervals as iv
from cuadra.errors import UnsupportedRule
from cuadra.rules import periods
from cuadra.rules.catalogue import Rule
from cuadra.rules.results import (
    FAIL,
    INDETERMINATE,
    PASS,
    Coded,
    FactLists,
    GroupFacts,
    GroupMembers,
    RuleResult,
    ScopedNames,
    Vocabulary,
    index_ranges,
    small_ints,
)
from cuadra.rules.shapes import SPEC_REFS, Plan, period_spec
from cuadra.rules.syntax import BinOp, Call, Compare, Neg, Node, Num, Ref

__all__ = ["ALL", "FactIndex", "FactLists", "GroupFacts", "GroupMembers", "RuleResult", "evaluate_rule",
           "evaluate_rules", "evaluate_rules_isolated", "shift_period", "instances", "instance_key", "literal",
           "NA_STATUSES", "REASON_TEXTS", "decide", "reason_codes"]

NA_STATUSES = ("NA", "ND")

Ints = npt.NDArray[np.int64]


def shift_period(period: str, years: int) -> str:
    """``2020-12`` shifted by -1 is ``2019-12``: ``[t-1]`` means the same period a year earlier."""
    if not years:
        return period
    return f"{int(period[:4]) + years}{period[4:]}"


#: Scope of a grouping: every document at once, or one source document.
ALL = "*"

#: A period table's entry not computed yet (``FactIndex.mapped``).
_TODO = -2


def _codes(values: pd.Series) -> tuple[Ints, npt.NDArray[np.object_]]:
    """Each value's code and the distinct values, in string order; read from a categorical column's
    codes or an extension (arrow) column's own factorisation, never through a Python string a row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        used = np.unique(codes)
        names = values.cat.categories.to_numpy(dtype=object)[used]
        order = np.argsort(names, kind="stable")  # categories need not be in string order
        remap = np.zeros(len(values.cat.categories), dtype=np.int64)
        remap[used[order]] = _arange(len(used))
        return remap[codes], names[order]
    if not isinstance(values.dtype, pd.api.extensions.ExtensionDtype):
        values = np.asarray(values, dtype=object)
    codes, uniques = pd.factorize(values, sort=True)
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
    intersection of its members' intervals; ``n_na`` 1 where a member is NA/ND (else 0); ``indptr``/``indices``
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
        #: The texts behind the codes, for the results to spell their keys with (not the arrays).
        self.vocab = Vocabulary(self.concepts, self.periods, [str(s) for s in self.sources])
        base = cc
        base *= n_p
        base += pc
        base *= ns
        del cc, pc  # the grouping's peak is its sort: no code column is kept beside it
        keys2 = _concat(base, base + sc + 1)
        del base, sc
        sk, pos = _sorted_with_position(keys2, n)
        del keys2
        starts = _run_starts(sk)
        self.keys: Ints = sk[starts]
        del sk
        # Positions and offsets fit in 32 bits below 2^31 facts: half the bytes, kept by every result.
        self.indptr = small_ints(_concat(starts, [len(pos)]))
        self.indices = small_ints(pos)
        del pos
        lo = facts["lo"].to_numpy(dtype=np.float64)
        hi = facts["hi"].to_numpy(dtype=np.float64)
        #: Whether each fact is NA/ND (it has no bounds).
        self.fact_na: npt.NDArray[np.bool_] = facts["status"].isin(NA_STATUSES).to_numpy()
        if len(self.keys):
            # fmax/fmin skip NaN (an NA/ND member has no bounds), as a grouped max/min would.
            self.lo = np.fmax.reduceat(lo[self.indices], starts)
            self.hi = np.fmin.reduceat(hi[self.indices], starts)
            self.n_na = np.maximum.reduceat(self.fact_na[self.indices].view(np.uint8), starts)
        else:
            self.lo, self.hi, self.n_na = np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.uint8)
        del starts
        self.members = GroupMembers(self.indptr, self.indices)
        # The all-documents groups, and for each concept the slice of them it owns.
        self.global_pos = small_ints(np.flatnonzero(self.keys % ns == 0))
        gk = self.keys[self.global_pos]
        self._global_period = small_ints((gk // ns) % n_p if n_p else gk)
        self._concept_ptr = np.searchsorted(gk // (n_p * ns) if n_p else gk, _arange(len(self.concepts) + 1))
        #: Whether :meth:`release` dropped the lookups (the index then only backs results already made).
        self.released = False

    def release(self) -> None:
        """Drop what only finding instances needs: the groups' keys and bounds, the all-documents
        positions, the shift tables. Results keep what they read (the members and the vocabulary), so
        once every rule is evaluated the rest of a Pandera validation does not hold ~49 bytes a fact
        of lookups (issue 17: ~490 MB at 10 M facts, during the checks' failure cases). A released
        index answers no lookup (``AttributeError``); build another from the facts."""
        for name in ("keys", "lo", "hi", "n_na", "fact_na", "global_pos", "_global_period", "_concept_ptr"):
            delattr(self, name)
        self._shifts.clear()
        self.released = True

    # -- decoding --------------------------------------------------------------------------------
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
        """``fn`` applied to each period code, through a table kept per ``key`` (``None`` gives -1: a
        period the reference cannot read, so the operand is missing).

        The table is filled lazily, only for the codes asked for: a period ``fn`` names is appended
        to the vocabulary, and mapping every period of the grown vocabulary under every key would
        grow it again (50 editions: 969 periods became 40,000, most of the evaluator's time)."""
        if not len(codes):
            return codes
        n0 = len(self.periods)
        table = self._shifts.get(key)
        if table is None or len(table) < n0:
            grown = np.full(n0, _TODO, dtype=np.int64)
            if table is not None:
                grown[:len(table)] = table
            table = self._shifts[key] = grown
        safe = np.maximum(codes, 0)
        hit = table[safe]
        missing = hit == _TODO
        if missing.any():
            for c in np.unique(safe[missing]).tolist():
                q = fn(self.periods[c])
                table[c] = -1 if q is None else self.code(q)
            hit = table[safe]
        return np.where(codes >= 0, hit, -1)

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

    def find_many(self, concepts: Ints, periods: Ints, scopes: Ints) -> Ints:
        """:meth:`find` with a concept code per element (-1: a concept no fact has)."""
        out = np.full(len(periods), -1, dtype=np.int64)
        if not len(self.keys):
            return out
        ok = (concepts >= 0) & (periods >= 0) & (periods < self.n_periods)
        key = (np.where(ok, concepts, 0) * self.n_periods + np.where(ok, periods, 0)) * self.n_scopes + scopes
        j = np.minimum(_search(self.keys, key)[0], len(self.keys) - 1)
        hit = ok & (self.keys[j] == key)
        out[hit] = j[hit]
        return out

    def concept_codes(self, concepts: Sequence[str]) -> Ints:
        """The code of each concept, -1 where no fact has it."""
        get = self.concept_code.get
        return _ints([get(c, -1) for c in concepts])

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
    return index.mapped(codes, ("source", ref.lag, ref.step, ref.fin), lambda p: periods.source(ref, p))


def _targets(spec: Ints, codes: Ints, index: FactIndex, kinds: Ints) -> Ints:
    """:func:`_target` where element ``i`` reads at the period of spec ``spec[i]``
    (``cuadra.rules.shapes.spec_id``): one call per spec in ``kinds``, those that occur."""
    if len(kinds) == 1:
        return _target(SPEC_REFS[int(kinds[0])], codes, index)
    same = [k for k in kinds.tolist() if period_spec(SPEC_REFS[k]) == _AT_T]
    out = codes.copy()  # ``x`` and ``x[t]`` read the instance's own period: most references
    rest = np.flatnonzero(spec != same[0]) if same else _arange(len(codes))
    spec, codes = spec[rest], codes[rest]
    for k in kinds.tolist():
        if k not in same:
            m = spec == k
            out[rest[m]] = _target(SPEC_REFS[k], codes[m], index)
    return out


#: The period spec of a reference at the instance's own period.
_AT_T = period_spec(Ref(""))


class _RuleRefs:
    """Every rule's distinct references, as flat arrays (row = one reference of one rule).

    ``ptr[i]:ptr[i + 1]`` are rule ``i``'s rows; ``concept`` the concept code of each row (-1: no
    fact has it); ``spec`` its period spec (``cuadra.rules.shapes.spec_id``)."""

    def __init__(self, rules: Sequence[Rule], index: FactIndex) -> None:
        plans = [rule.plan for rule in rules]
        self.count = _ints([len(p.distinct) for p in plans])
        self.ptr = _concat([0], np.cumsum(self.count))
        self.concept = index.concept_codes([r.concept for p in plans for r in p.distinct])
        self.spec = _ints([k for p in plans for k in p.distinct_specs])


def _candidates(rules: Sequence[Rule], index: FactIndex) -> tuple[Ints, Ints]:
    """(rule number, period code) of every candidate instance period, sorted and unique.

    Periods: where an unshifted operand exists (else a relative one, moved back); pinned operands
    only: one instance, if the dataset states any of them; ``periodos`` keeps the listed ones."""
    get = index.concept_code.get
    rows_r: list[int] = []
    rows_c: list[int] = []
    lagged: dict[object, tuple[Ref, list[int], list[int]]] = {}
    pinned_r: list[int] = []
    pinned_p: list[int] = []
    listed_r: list[int] = []
    listed_p: list[int] = []
    for i, rule in enumerate(rules):
        refs = rule.refs
        plain = [r for r in refs if r.fixed is None and not r.relative]
        moved = [r for r in refs if r.relative]
        if plain:
            rows_r += [i] * len(plain)
            rows_c += [get(r.concept, -1) for r in plain]
        elif moved:
            for r in moved:
                _, lr, lc = lagged.setdefault((r.lag, r.step, r.fin), (r, [], []))
                lr.append(i)
                lc.append(get(r.concept, -1))
        elif any(index.code(r.fixed or "") in index.periods_with(r.concept) for r in refs):
            pinned_r.append(i)
            pinned_p.append(index.code(refs[0].fixed or ""))
        if rule.periodos is not None:
            listed_r += [i] * len(rule.periodos)
            listed_p += [index.code(p) for p in rule.periodos]
    r, p = _stated(index, _ints(rows_r), _ints(rows_c))
    found_r, found_p = [r], [p]
    for ref, lr, lc in lagged.values():
        r, p = _stated(index, _ints(lr), _ints(lc))
        t = _source(ref, p, index)
        found_r.append(r[t >= 0])
        found_p.append(t[t >= 0])
    found_r.append(_ints(pinned_r))
    found_p.append(_ints(pinned_p))
    n_p = len(index.periods)  # after every code above was made
    cand = _unique(_concat(*found_r) * n_p + _concat(*found_p))
    if listed_r:
        limited = np.zeros(len(rules), dtype=bool)
        limited[listed_r] = True
        cand = cand[~limited[cand // n_p] | np.isin(cand, _ints(listed_r) * n_p + _ints(listed_p))]
    return cand // n_p, cand % n_p


def _stated(index: FactIndex, rule: Ints, concept: Ints) -> tuple[Ints, Ints]:
    """(rule, period code) for every period at which each row's concept has facts."""
    ok = concept >= 0
    rule, concept = rule[ok], concept[ok]
    starts = index._concept_ptr[concept]
    counts = index._concept_ptr[concept + 1] - starts
    return np.repeat(rule, counts), index._global_period[index_ranges(starts, counts)]


def _instance_table(rules: Sequence[Rule], index: FactIndex) -> tuple[Ints, Ints, Ints]:
    """(rule number, period code, scope code) of every instance of every rule, all rules at once.

    Grouped by rule in the order given; a rule's instances in period (string) order, then document
    order. ``periodos: completos`` keeps only the periods where every operand is stated (issue 13).
    Scopes: one instance per document stating every operand at that period, else one across
    documents (0).
    """
    rule, per = _candidates(rules, index)
    if len(per) and per.max() >= index.n_periods:  # a period no fact has: string order, not code order
        order = np.lexsort((index.rank()[per], rule))
        rule, per = rule[order], per[order]
    ops = _RuleRefs(rules, index)
    # One row per (instance, distinct reference): the period it reads, and the concept.
    cnt = ops.count[rule]
    row = index_ranges(ops.ptr[rule], cnt)
    inst = np.repeat(_arange(len(rule)), cnt)
    del cnt  # (each temporary goes as soon as it has served: this table is the evaluator's peak)
    target = _targets(ops.spec[row], per[inst], index, np.unique(ops.spec))
    concept = ops.concept[row]
    del row
    full = np.array([getattr(r, "completos", False) for r in rules], dtype=bool)
    if full.any():
        m = full[rule[inst]]
        bad = inst[m][index.find_many(concept[m], target[m], np.zeros(int(m.sum()), dtype=np.int64)) < 0]
        keep = np.ones(len(rule), dtype=bool)
        keep[bad] = False
        rule, per = rule[keep], per[keep]
        kept = keep[inst]
        inst = (np.cumsum(keep) - 1)[inst[kept]]
        target, concept = target[kept], concept[kept]
    ns = index.n_scopes
    ok = (concept >= 0) & (target >= 0) & (target < index.n_periods)
    base = (concept[ok] * index.n_periods + target[ok]) * ns
    inst = inst[ok]
    del ok, concept, target
    first, last = _search(index.keys, base, 1, ns)
    del base
    counts = last - first
    del last
    pairs = np.repeat(inst, counts) * ns
    del inst
    pairs += index.keys[index_ranges(first, counts)] % ns
    del first, counts
    pairs, times = np.unique(pairs, return_counts=True)
    common = pairs[times == ops.count[rule[pairs // ns]]]  # stated by every distinct reference
    has = np.zeros(len(rule), dtype=bool)
    has[common // ns] = True
    rows = np.sort(_concat(common, np.flatnonzero(~has) * ns))
    return rule[rows // ns], per[rows // ns], rows % ns


def instances(rule: Rule, index: FactIndex) -> list[tuple[str, str]]:
    """(period, scope) pairs: one per document stating every operand, else one across documents."""
    _, p, s = _instance_table([rule], index)
    per = index.period_strings()
    return [(str(per[a]), ALL if b == 0 else str(index.sources[b - 1])) for a, b in zip(p, s, strict=True)]


def instance_key(period: str, scope: str) -> str:
    return period if scope == ALL else f"{period}@{scope}"


@dataclass
class _Env:
    """The instances of every rule of one shape, their operands, and the walk's flags.

    Operands are looked up before the walk, all at once (:class:`_Slots`): ``lo``/``hi`` hold a
    row per reference slot of the shape (slot ``k`` of rule ``i`` is ``plans[i].refs[k]``) and a
    column per instance; ``local[j]`` is the rule (among ``plans``) of instance ``j``. The walk asks
    for the shape's leaves in the order ``cuadra.rules.shapes`` numbered them."""

    periods: Ints
    missing: npt.NDArray[np.bool_]
    na: npt.NDArray[np.bool_]
    empty: npt.NDArray[np.bool_]
    divzero: npt.NDArray[np.bool_]
    plans: Sequence[Plan]
    local: Ints
    lo: npt.NDArray[np.float64]
    hi: npt.NDArray[np.float64]
    _next: list[int] = field(default_factory=lambda: [0, 0])

    def ref(self, node: Ref) -> iv.Bounds:
        """The bounds of the next reference slot (``node`` is the first rule's; the others differ)."""
        k = self._next[0]
        self._next[0] += 1
        if node is not self.plans[0].refs[k]:  # the walk and the shape disagree on the leaves' order
            raise UnsupportedRule(f"slot {k} of {self.plans[0].shape} is not {node}")
        return iv.Bounds(self.lo[k], self.hi[k])

    def num(self, node: Num) -> iv.Bounds:
        """The next literal slot, each rule's own value."""
        k = self._next[1]
        self._next[1] += 1
        v = np.asarray([p.nums[k] for p in self.plans], dtype=np.float64)[self.local]
        return iv.Bounds(v, v.copy())


class _Slots:
    """Every reference slot of every instance, looked up at once (for :func:`evaluate_rules`).

    ``rules`` come in shape order, with their instance counts and instances ``take`` (global
    instance numbers, in the same order); row ``j · K + k`` is slot ``k`` of the ``j``-th instance
    of a shape of ``K`` slots. An operand is missing, NA/ND or inconsistent (empty) per row."""

    def __init__(self, index: FactIndex, rules: Sequence[Rule], count: Ints, take: Ints, per: Ints,
                 scope: Ints) -> None:
        slots = [r for rule in rules for r in rule.plan.refs]
        width = _ints([len(rule.plan.refs) for rule in rules])
        k = np.repeat(width, count)
        slot = index_ranges(np.repeat(_concat([0], np.cumsum(width))[:-1], count), k)
        inst = np.repeat(take, k)
        del k
        spec = _ints([n for rule in rules for n in rule.plan.specs])
        target = _targets(spec[slot], per[inst], index, np.unique(spec))
        concept = index.concept_codes([r.concept for r in slots])[slot]
        del slot
        pos = index.find_many(concept, target, scope[inst])
        del concept, target, inst
        self.pos = pos = small_ints(pos)
        found = pos >= 0
        safe = np.where(found, pos, 0)
        if len(index.keys):
            self.lo = np.where(found, index.lo[safe], np.nan)
            self.hi = np.where(found, index.hi[safe], np.nan)
            self.na = found & (index.n_na[safe] > 0)
        else:
            self.lo = self.hi = np.full(len(pos), np.nan, dtype=np.float64)
            self.na = np.zeros(len(pos), dtype=bool)
        self.missing = ~found
        with _quiet():
            self.empty = found & (self.lo > self.hi)

    def block(self, at: int, n: int, k: int) -> tuple[Ints, npt.NDArray[np.float64], npt.NDArray[np.float64],
                                                      npt.NDArray[np.bool_], npt.NDArray[np.bool_],
                                                      npt.NDArray[np.bool_]]:
        """Rows ``at`` .. ``at + n·k``: (pos, lo, hi) with a row per slot, and the flags per instance."""
        s = slice(at, at + n * k)

        def rows(a: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(a[s].reshape(n, k).T)

        def any_slot(a: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
            return a[s].reshape(n, k).any(axis=1)

        return (rows(self.pos), rows(self.lo), rows(self.hi), any_slot(self.missing), any_slot(self.na),
                any_slot(self.empty))


def literal(node: Num, n: int) -> iv.Bounds:
    """A number written in the rule, at ``n`` instances."""
    v = np.full(n, float(node.value), dtype=np.float64)
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


#: Leaves are the environment's: it decides how an operand is found and what a literal is.
_DISPATCH = {Ref: lambda node, env: env.ref(node), Num: lambda node, env: env.num(node), BinOp: _binop,
             Neg: _neg, Call: _call}


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


def decide(tree: Compare, env: _Env) -> tuple[iv.Bounds, iv.Bounds, npt.NDArray[np.int8]]:
    """Both sides of a rule's tree, and each instance's status code (:data:`VERDICTS`).

    ``env`` is any environment with the flags of ``_Env`` and ``ref``/``num`` methods (the tests'
    loop evaluator shares this walk with its own operand lookup). The imbalance is a function of
    both sides and the comparison (``iv.gap``): results compute it when it is read."""
    with _quiet():
        lhs, rhs = _eval(tree.left, env), _eval(tree.right, env)
        holds = _holds(tree.op, lhs, rhs)
    indet = env.missing | env.na | env.empty | env.divzero
    return lhs, rhs, np.where(indet, INDETERMINATE, np.where(holds, PASS, FAIL)).astype(np.int8)


#: The reason texts by code: none, then :data:`REASONS`.
REASON_TEXTS = ("", *REASONS)


def reason_codes(env: _Env) -> npt.NDArray[np.int8]:
    """Each instance's reason, as a code into :data:`REASON_TEXTS` (the first that applies wins)."""
    code = np.zeros(len(env.missing), dtype=np.int8)
    flags = (env.missing, env.na, env.empty, env.divzero)
    for c, flag in reversed(list(enumerate(flags, start=1))):
        code[flag] = c  # written last: the first reason that applies
    return code


def _empty(rule: Rule, index: FactIndex) -> RuleResult:
    nothing = np.zeros(0)
    none = np.zeros(0, dtype=np.int32)
    return RuleResult(rule, ScopedNames(index.vocab, none, none), np.zeros(0, dtype=np.int8),
                      Coded(np.zeros(0, dtype=np.int8), REASON_TEXTS), iv.Bounds(nothing, nothing),
                      iv.Bounds(nothing, nothing), rule.tree.op,
                      GroupFacts(index.members, np.zeros((0, 0), dtype=np.int32)))


#: Candidate instances enumerated at once: the instance table's temporaries (its peak, some 300 bytes
#: an instance) are bounded by this many, not by the data.
_INSTANCES = 1 << 16


def evaluate_rules(rules: Sequence[Rule], index: FactIndex) -> list[RuleResult]:
    """Evaluate every instance of every rule, one :class:`RuleResult` per rule, in order.

    The instances of all rules are enumerated together, their operands looked up together, and
    the rules of one shape (``cuadra.rules.shapes``) are walked together: a hundred tree walks over
    long arrays instead of one short walk per rule. Each rule's result holds views into its shape's
    arrays, and of the index only its members and vocabulary (not its keys nor bounds). Past
    :data:`_INSTANCES` candidate instances the rules are taken in runs (in order) of about that many:
    a rule's instances never depend on the other rules, so only the memory changes."""
    if len(rules) < 2:
        return _evaluate_together(rules, index)
    sizes = np.bincount(_candidates(rules, index)[0], minlength=len(rules)).tolist()
    out: list[RuleResult] = []
    a = total = 0
    for i, size in enumerate(sizes):
        if total and total + size > _INSTANCES:
            out += _evaluate_together(rules[a:i], index)
            a, total = i, 0
        total += size
    return out + _evaluate_together(rules[a:], index)


def _evaluate_together(rules: Sequence[Rule], index: FactIndex) -> list[RuleResult]:
    """:func:`evaluate_rules` in one batch."""
    rule_of, per, scope = _instance_table(rules, index)
    n_rules = len(rules)
    start = np.searchsorted(rule_of, _arange(n_rules + 1))
    count = np.diff(start)
    per_code, scope_code = small_ints(per), small_ints(scope)
    shapes: dict[str, list[int]] = {}
    for i in np.flatnonzero(count).tolist():
        shapes.setdefault(rules[i].plan.shape, []).append(i)
    out: list[RuleResult | None] = [None] * n_rules
    for batch in _batches(list(shapes.values()), rules, count):
        _evaluate_shapes(batch, rules, index, start, count, per, scope, per_code, scope_code, out)
    return [r if r is not None else _empty(rules[i], index) for i, r in enumerate(out)]


#: Operand slots looked up at once: the lookup's temporaries are bounded by this, not by the data.
_SLOT_ROWS = 1 << 18


def _batches(shapes: list[list[int]], rules: Sequence[Rule], count: Ints) -> list[list[list[int]]]:
    """The shapes in order, cut into runs of about :data:`_SLOT_ROWS` operand slots each."""
    out: list[list[list[int]]] = [[]]
    rows = 0
    for members in shapes:
        if rows >= _SLOT_ROWS:
            out.append([])
            rows = 0
        out[-1].append(members)
        rows += int(count[members].sum()) * len(rules[members[0]].plan.refs)
    return out


def _own(b: iv.Bounds) -> iv.Bounds:
    """``b`` in arrays of its own: a side that is an operand is a row of the looked-up block, and a
    result keeping that view would keep every row of it."""
    return iv.Bounds(b.lo.copy() if b.lo.base is not None else b.lo, b.hi.copy() if b.hi.base is not None else b.hi)


def _evaluate_shapes(shapes: list[list[int]], rules: Sequence[Rule], index: FactIndex, start: Ints, count: Ints,
                     per: Ints, scope: Ints, per_code: np.ndarray, scope_code: np.ndarray,
                     out: list[RuleResult | None]) -> None:
    """Evaluate the rules of ``shapes`` (lists of rule numbers), each shape's rules walked together."""
    if not shapes:
        return
    ordered = _ints([i for members in shapes for i in members])
    take = index_ranges(start[ordered], count[ordered])
    slots = _Slots(index, [rules[i] for i in ordered], count[ordered], take, per, scope)
    at = row = 0
    for members in shapes:
        m = _ints(members)
        n, k = int(count[m].sum()), len(rules[members[0]].plan.refs)
        pos, lo, hi, missing, na, empty = slots.block(row, n, k)
        pos = small_ints(pos)
        row += n * k
        env = _Env(per[take[at:at + n]], missing, na, empty, np.zeros(n, dtype=bool),
                   [rules[i].plan for i in members], np.repeat(_arange(len(members)), count[m]), lo, hi)
        at += n
        tree = rules[members[0]].tree
        lhs, rhs, status = decide(tree, env)
        lhs, rhs = _own(lhs), _own(rhs)
        reason = reason_codes(env)
        a = 0
        for i in members:
            b = a + int(count[i])
            s = slice(start[i], start[i + 1])
            out[i] = RuleResult(rules[i], ScopedNames(index.vocab, per_code[s], scope_code[s]), status[a:b],
                                Coded(reason[a:b], REASON_TEXTS), iv.Bounds(lhs.lo[a:b], lhs.hi[a:b]),
                                iv.Bounds(rhs.lo[a:b], rhs.hi[a:b]), tree.op, GroupFacts(index.members, pos[:, a:b]))
            a = b


def evaluate_rule(rule: Rule, index: FactIndex) -> RuleResult:
    """Evaluate every instance of ``rule``; a missing, NA/ND, inconsistent or zero-divisor operand
    makes the instance indeterminate, never a silent pass."""
    return evaluate_rules([rule], index)[0]


def evaluate_rules_isolated(rules: Sequence[Rule], index: FactIndex) -> list[RuleResult | Exception]:
    """Evaluate ``rules`` in one batch, or rule by rule when the batch raises.

    A rule that cannot run must not take the others with it: the batch is the fast path, and only
    when it fails is each rule evaluated alone, so the broken one (and only it) comes back as the
    exception it raised, for the caller to report as that rule's error finding."""
    try:
        return list(evaluate_rules(rules, index))
    except Exception:  # find which rule broke the batch, below
        pass
    out: list[RuleResult | Exception] = []
    for rule in rules:
        try:
            out.append(evaluate_rule(rule, index))
        except Exception as exc:  # reported by the caller as the rule's error
            out.append(exc)
    return out


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


def _sorted_with_position(keys2: Ints, n: int) -> tuple[Ints, Ints]:
    """``keys2`` (the global keys of ``n`` facts, then their per-document keys) sorted, and the fact
    behind each: equal keys in fact order, as a stable sort gives them. ``keys2`` is consumed: it is
    sorted in place and becomes the sorted keys (the caller drops its own name for it).

    One sort of ``key · n + fact`` (all distinct, so any sort is stable) instead of a stable
    argsort and two gathers: the grouping is a fifth of the evaluator's time on 50 editions. In place,
    so the grouping's peak is two arrays of ``2n`` keys, not five (10 M facts: ~480 MB less)."""
    if not len(keys2) or int(keys2.max()) >= (1 << 62) // max(n, 1):  # too wide to pack: sort stably
        order = keys2.argsort(kind="stable")
        return keys2[order], order % max(n, 1)
    keys2 *= n
    fact = _arange(n)
    keys2[:n] += fact
    keys2[n:] += fact
    del fact
    keys2.sort()
    position = keys2 % n
    keys2 //= n
    return keys2, position


def _search(keys: Ints, needles: Ints, *offsets: int) -> tuple[Ints, ...]:
    """``np.searchsorted(keys, needles + o)`` for each offset (0 when none is given).

    Many needles are searched in sorted order: a binary search per needle in arbitrary order
    misses the cache at every step, in key order it does not (three to five times faster)."""
    offsets = offsets or (0,)
    if len(needles) < 4096:
        return tuple(np.searchsorted(keys, needles + o) for o in offsets)
    order = needles.argsort()
    ordered = needles[order]
    out = []
    for o in offsets:
        found = np.empty(len(needles), dtype=np.int64)
        found[order] = np.searchsorted(keys, ordered + o)
        out.append(found)
    return tuple(out)


def _unique(values: Ints) -> Ints:
    """``np.unique`` by sorting: for long integer arrays numpy's hash table is several times slower."""
    v = np.sort(values)
    return v[_run_starts(v)] if len(v) else v


def _run_starts(sorted_keys: Ints) -> Ints:
    """Where each run of equal keys starts."""
    if not len(sorted_keys):
        return _arange(0)
    return np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
