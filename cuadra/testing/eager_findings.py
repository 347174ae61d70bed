"""The findings as they were built before issue 15's bounded memory: every instance an object, at once.

One job: be the yardstick for :class:`cuadra.findingset.FindingSet`. This is the construction that
held a :class:`~cuadra.findings.Finding` for every rule instance, passing ones included, and a
:class:`~cuadra.findings.FactRef` for every fact (2.91 GiB on 1 M facts); ``tests/test_findingset.py``
puts it in the engine's place and requires the run's JSON, JUnit and terminal summary to be the very
same as the streamed ones. Never used in production.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from cuadra.engine import FactRefs
from cuadra.findings import Finding
from cuadra.rules.evaluate import RuleResult

__all__ = ["eager_findings"]


class _AllRefs(FactRefs):
    """Every fact's reference kept for the whole run (the cache was unbounded then)."""

    KEEP = 1 << 62


def eager_findings(results: Sequence[RuleResult], facts: pd.DataFrame, refs: FactRefs | None = None) -> list[Finding]:
    """One finding per instance, in the results' order, all built now (the previous engine code)."""
    refs = refs or _AllRefs(facts)
    out = []
    for res in results:
        rule = res.rule
        fuentes = tuple(rule.fuentes)
        meta = getattr(rule, "meta", {})
        template, bindings = meta.get("plantilla"), tuple(sorted(meta.get("vinculos", {}).items()))
        columns = (res.keys, res.periods, res.status.tolist(), res.lhs.lo.tolist(), res.lhs.hi.tolist(),
                   res.rhs.lo.tolist(), res.rhs.hi.tolist(), res.gap.tolist(), res.rel_gap.tolist(), res.reason,
                   res.facts)
        for key, period, status, llo, lhi, rlo, rhi, gap, rel, reason, members in zip(*columns, strict=True):
            out.append(Finding(rule=rule.id, kind=rule.kind, key=key, period=period, status=status,
                               severity=rule.severity, titulo=rule.titulo, expr=rule.expr, fuentes=fuentes,
                               lhs=(llo, lhi), rhs=(rlo, rhi), imbalance=gap, imbalance_rel=rel, reason=reason,
                               facts=refs(members), template=template, bindings=bindings))
    return out
