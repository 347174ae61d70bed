"""The evaluator as it was before issue 17: instances enumerated and looked up one by one.

One job: be the yardstick for the vectorised evaluator (``cuadra.rules.evaluate``). It keeps the
original string-keyed grouping, the per-period instance loop and the per-instance fact lists (the
parts issue 17 rewrote; the interval arithmetic of the tree walk, unchanged, is shared), so
``tests/test_vectorised.py`` can require the new evaluator to give the very same instances, keys,
statuses, reasons, bounds and facts on generated data and on the bundle. Never used in production.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from cuadra import intervals as iv
from cuadra.rules import periods
from cuadra.rules.catalogue import Rule
from cuadra.rules.evaluate import ALL, NA_STATUSES, RuleResult, decide, instance_key, literal
from cuadra.rules.results import VERDICTS
from cuadra.rules.syntax import Num, Ref

__all__ = ["LoopIndex", "LoopResult", "loop_evaluate_rule", "loop_duplicates", "instances"]





@dataclass
class LoopIndex:
    """``FactIndex`` as it was: groups keyed by ``concept\x1fperiod\x1fscope`` strings, members as lists."""

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


#: The old evaluator returned the same record, with plain lists of facts.
LoopResult = RuleResult


def candidate_periods(rule: Rule, index: LoopIndex) -> list[str]:
    """The instance periods: where an unshifted operand exists (else a relative one, moved back);
    pinned operands only: one instance, if the dataset states any of them (issue 13)."""
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
        found.add(refs[0].fixed or "")
    if rule.periodos is not None:
        found &= set(rule.periodos)
    if rule.completos:
        stated = index.periods_by_concept
        found = {t for t in found if all(periods.target(r, t) in stated.get(r.concept, ()) for r in refs)}
    return sorted(found)


def _target(ref: Ref, period: str) -> str:
    return periods.target(ref, period) or ""


def instances(rule: Rule, index: LoopIndex) -> list[tuple[str, str]]:
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


@dataclass
class _Env:
    index: LoopIndex
    periods: list[str]
    scopes: list[str]
    missing: npt.NDArray[np.bool_]
    na: npt.NDArray[np.bool_]
    empty: npt.NDArray[np.bool_]
    divzero: npt.NDArray[np.bool_]
    facts: list[list[int]]

    def ref(self, node: Ref) -> iv.Bounds:
        """The operand lookup the shared tree walk (``evaluate._eval``) asks this environment for."""
        return _ref(node, self)

    def num(self, node: Num) -> iv.Bounds:
        """A literal, at every instance of this one rule."""
        return literal(node, len(self.periods))


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


def loop_evaluate_rule(rule: Rule, index: LoopIndex) -> LoopResult:
    """Evaluate every instance of ``rule``; a missing, NA/ND, inconsistent or zero-divisor operand
    makes the instance indeterminate, never a silent pass."""
    insts = instances(rule, index)
    periods = [p for p, _ in insts]
    scopes = [s for _, s in insts]
    n = len(insts)
    env = _Env(index, periods, scopes, np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool),
               np.zeros(n, bool), [[] for _ in range(n)])
    lhs, rhs, codes = decide(rule.tree, env)  # type: ignore[arg-type]
    status = [VERDICTS[c] for c in codes.tolist()]
    with np.errstate(invalid="ignore", over="ignore"):  # the imbalance as the evaluator computed it before
        g = iv.gap(lhs, rhs, rule.tree.op)
        rel = iv.relative_gap(lhs, rhs, g)
    reason = [
        "falta un operando" if env.missing[i] else
        "un operando es NA/ND" if env.na[i] else
        "cifras duplicadas inconsistentes en un operando" if env.empty[i] else
        "el divisor puede ser cero" if env.divzero[i] else ""
        for i in range(n)
    ]
    facts = [sorted(set(f)) for f in env.facts]
    keys = [instance_key(p, s) for p, s in insts]
    return LoopResult.spelt(rule, keys, periods, status, reason, lhs, rhs, rule.tree.op, facts, (g, rel))


def loop_duplicates(index: LoopIndex) -> tuple[list[str], list[str], list[str], list[list[int]]]:
    """The duplicate family as it was: (keys, statuses, reasons, facts), one global group at a time."""
    from cuadra.rules.builtins import truncation_reading

    keys, status, reason, facts = [], [], [], []
    for concept, period, i in index.global_groups():
        members, glo, ghi, na = index.members[i], index.lo[i], index.hi[i], index.n_na[i]
        if len(members) < 2:
            continue
        keys.append(f"{concept}|{period}")
        facts.append([int(m) for m in members])
        if na > 0:
            status.append("indeterminate")
            reason.append("una de las declaraciones es NA/ND")
        elif glo <= ghi:
            status.append("pass")
            reason.append("")
        else:
            status.append("fail")
            reason.append(truncation_reading(index.facts, members))
    return keys, status, reason, facts
