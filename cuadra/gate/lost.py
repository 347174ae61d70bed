"""Lost checks: rule instances BASE decided that HEAD no longer decides (issue 19).

One job: find them, say why, and apply what accepts them. A gate that only looks at failures
passes a change that quietly removes a check: delete one operand and the instance that passed
becomes ``indeterminate`` (or, with the issue-14 status, "no aplica"), or disappears. So:

- an instance is **decided** when its status is ``pass``, ``fail`` or ``waived`` (a waived
  instance was evaluated and failed; the register accepted it);
- it is **still checked** on HEAD when decided there, or ``error`` (an error on HEAD is already a
  new finding, ``diff.py``: it is not counted twice);
- a **lost check** is an instance decided on BASE with no still-checked instance of the same
  identity (:func:`cuadra.findings.finding_identity`) on HEAD: indeterminate, "no aplica", any
  other status that is not a decision, or gone. Statuses are compared by what they are not, so a
  status added later needs no change here.

One exception, by construction: the per-fact built-ins (``publicado``, ``rango``) check one figure
against itself; when that figure was removed, its removal is listed with the data changes and
nothing is left to check, so they are not lost checks. Every other instance is, the duplicate
family included (removing one of two statements removes the comparison between reports).

Lost checks block at their rule's severity, like new findings. ``--accept-lost RULE[:KEY]``
(``fnmatch`` patterns) or a waiver with ``perdida: true`` (rule, instance key and the BASE values
it was accepted for) accepts a deliberate removal; accepted ones are listed, never blocking.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase

from cuadra.findings import Finding, finding_identity
from cuadra.gate.diff import severities
from cuadra.gate.identity import FactState, pair
from cuadra.gate.revisions import DataDiff, FactChange
from cuadra.report.figures import STATUS_ES, cifra, figure
from cuadra.waivers import Waiver

__all__ = ["DECIDED", "CHECKED", "LostCheck", "find_lost", "accept_lost", "parse_accept"]

DECIDED = ("pass", "fail", "waived")
CHECKED = (*DECIDED, "error")
PER_FACT = ("publicado", "rango")


@dataclass(frozen=True)
class LostCheck:
    """One instance decided on BASE and not on HEAD, with the facts that explain it."""

    base: Finding
    head: Finding | None  # HEAD's instance of the same rule and period that is not decided, or None: gone
    removed: tuple[FactState, ...]  # the instance's BASE facts that HEAD no longer states
    changed: tuple[FactChange, ...]  # the instance's BASE facts that HEAD revised or restated
    accepted: str | None = None  # what accepted it: the option's pattern or the waiver
    #: HEAD's decided instance of the same rule and period with other facts (e.g. checked inside one
    #: document now, where BASE checked across documents): named in the reason, still a lost check.
    moved_to: Finding | None = None

    @property
    def head_status(self) -> str:
        return self.head.status if self.head is not None else "absent"

    @property
    def severity(self) -> str:
        return self.base.severity

    def blocks(self, fail_on: str) -> bool:
        return self.accepted is None and self.base.severity in severities(fail_on)

    def reason_parts(self) -> list[str]:
        """Why HEAD does not decide it, in Spanish: HEAD's status and reason, then the facts."""
        if self.head is None and self.moved_to is not None:
            m = self.moved_to
            parts = [f"la instancia ya no existe en HEAD; la regla decide el periodo como {m.key} "
                     f"({STATUS_ES.get(m.status, m.status)}) con otras cifras"]
        elif self.head is None:
            parts = ["la instancia ya no existe en HEAD"]
        else:
            where = f" como {self.head.key}" if self.head.key != self.base.key else ""
            status = STATUS_ES.get(self.head.status, self.head.status)
            parts = [f"en HEAD {status}{where}" + (f": {self.head.reason}" if self.head.reason else "")]
        parts += [f"eliminado {_fact(f)}" for f in self.removed]
        parts += [f"cambiado ({c.kind}) {_fact(c.base)} → {_registered(c.head)}" for c in self.changed]
        return parts

    @property
    def reason(self) -> str:
        return "; ".join(self.reason_parts())


def _registered(f: FactState) -> str:
    """The value as registered, not the published text (a revision may leave the text unchanged)."""
    return f"{cifra(f.value, f.scale, f.decimals, f.status, f.unit)} [{f.status}]"


def _fact(f: FactState) -> str:
    return f"{f.concept}[{f.period}] {figure(f)} ({f.source}:{f.locator})"


def _content(f: Finding) -> Hashable:
    return f.status, tuple(sorted((x.concept, x.period, x.source, repr(x.value)) for x in f.facts))


def _where(f: Finding) -> Hashable:
    return tuple(sorted((x.locator, x.quote) for x in f.facts))


def _fact_ids(f: Finding) -> set[str]:
    return {x.fact_id or repr((x.concept, x.period, x.source)) for x in f.facts}


def _state_id(f: FactState) -> str:
    return f.fact_id or repr(f.identity)


def find_lost(base: Iterable[Finding], head: Iterable[Finding], data: DataDiff) -> list[LostCheck]:
    """Every instance decided on ``base`` that no instance of the same identity still checks on ``head``."""
    head = list(head)
    decided = [f for f in base if f.status in DECIDED]
    checked = [f for f in head if f.status in CHECKED]
    p = pair(decided, checked, finding_identity, _content, (_where,))
    if not p.only_base:
        return []
    # HEAD's undecided instances, to name the counterpart: same identity first, else same rule and
    # key, else same rule and period (an operand removed moves a per-document instance across
    # documents: its key and its facts change, the rule and period do not).
    undecided = [f for f in head if f.status not in CHECKED]
    moved: dict[tuple[str, str], Finding] = {}
    for f in p.only_head:  # decided on HEAD with an identity BASE did not decide
        moved.setdefault((f.rule, f.period), f)
    by_identity: dict[Hashable, list[Finding]] = defaultdict(list)
    by_key: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    by_period: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in undecided:
        by_identity[finding_identity(f)].append(f)
        by_key[(f.rule, f.key)].append(f)
        by_period[(f.rule, f.period)].append(f)
    removed_by_id = {_state_id(f): f for f in data.removed}
    changed_by_id = {_state_id(c.base): c for c in data.changes}
    out = []
    for b in p.only_base:
        ids = _fact_ids(b)
        removed = tuple(removed_by_id[i] for i in sorted(ids) if i in removed_by_id)
        if b.rule in PER_FACT and b.facts and len(removed) == len(ids):
            continue  # the figure itself is gone (listed as removed): nothing is left to check
        candidates = (by_identity.get(finding_identity(b)) or by_key.get((b.rule, b.key))
                      or by_period.get((b.rule, b.period)) or [])
        head_f = candidates[0] if candidates else None
        out.append(LostCheck(b, head_f, removed, tuple(changed_by_id[i] for i in sorted(ids) if i in changed_by_id),
                             moved_to=moved.get((b.rule, b.period)) if head_f is None else None))
    out.sort(key=lambda c: (0 if c.severity == "error" else 1, c.base.rule, c.base.period, c.base.key))
    return out


def parse_accept(patterns: Sequence[str]) -> list[tuple[str, str]]:
    """``RULE`` or ``RULE:KEY`` (``fnmatch`` patterns; rule ids hold no ``:``) as (rule, key) pairs."""
    out = []
    for p in patterns:
        rule, sep, key = p.partition(":")
        out.append((rule, key if sep else "*"))
    return out


def _values(f: Finding) -> tuple[float, ...]:
    return tuple(sorted(x.value for x in f.facts if x.value is not None and not math.isnan(x.value)))


def accept_lost(lost: Sequence[LostCheck], patterns: Sequence[str] = (),
                waivers: Sequence[Waiver] = ()) -> list[LostCheck]:
    """Mark the lost checks an ``--accept-lost`` pattern or a ``perdida: true`` waiver accepts.

    A waiver accepts a lost check for the values it was accepted for, as every waiver does: the
    BASE values of the instance's facts; if they differ the waiver does not apply.
    """
    pats = parse_accept(patterns)
    by_key = {(w.rule, w.key): w for w in waivers if w.lost}
    out = []
    for c in lost:
        b = c.base
        hit = next((f"--accept-lost {r}:{k}" for r, k in pats if fnmatchcase(b.rule, r) and fnmatchcase(b.key, k)),
                   None)
        w = by_key.get((b.rule, b.key))
        if hit is None and w is not None and w.values == _values(b):
            hit = f"waiver {w.origin} ({w.date}): {w.justification}"
        out.append(replace(c, accepted=hit) if hit else c)
    return out
