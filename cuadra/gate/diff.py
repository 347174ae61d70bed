"""What broke and what was fixed: the findings of two versions, matched by identity.

One job: classify every rule instance that fails on either side. Failing means status ``fail`` or
``error``. With ``base`` and ``head`` the two versions of one instance (paired by
:func:`cuadra.findings.finding_identity`, twins by content):

- **new**: fails on head, did not fail on base (passed, was indeterminate, was waived, or did
  not exist). A waiver that expired on head makes its finding new. Only new findings at or above
  ``--fail-on`` block.
- **changed**: fails on both, but the figures it involves changed value (or the status changed
  between fail and error): the same discrepancy, moved. Reported, never blocking.
- **known**: fails on both with the same figures. Reported, never blocking.
- **resolved**: failed on base, does not fail on head (with the head status, or ``absent``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from cuadra.findings import Finding, finding_identity
from cuadra.gate.identity import pair

__all__ = ["FAILING", "FindingChange", "FindingsDiff", "diff_findings", "severities"]

FAILING = ("fail", "error")
CATEGORIES = ("new", "changed", "resolved", "known")


def severities(fail_on: str) -> tuple[str, ...]:
    return ("error",) if fail_on == "error" else ("error", "warning")


@dataclass(frozen=True)
class FindingChange:
    """One instance that fails on at least one side. ``base``/``head`` are None where absent."""

    category: str
    base: Finding | None
    head: Finding | None

    @property
    def current(self) -> Finding:
        f = self.head if self.head is not None else self.base
        assert f is not None
        return f

    @property
    def head_status(self) -> str:
        return self.head.status if self.head is not None else "absent"

    @property
    def base_status(self) -> str:
        return self.base.status if self.base is not None else "absent"


@dataclass
class FindingsDiff:
    new: list[FindingChange]
    changed: list[FindingChange]
    resolved: list[FindingChange]
    known: list[FindingChange]

    def blocking(self, fail_on: str) -> list[FindingChange]:
        levels = severities(fail_on)
        return [c for c in self.new if c.current.severity in levels]

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in CATEGORIES}


def _values(f: Finding) -> tuple[Hashable, ...]:
    return tuple(sorted((x.concept, x.period, x.source, repr(x.value), x.scale, x.decimals) for x in f.facts))


def _content(f: Finding) -> Hashable:
    return f.status, _values(f)


def _where(f: Finding) -> Hashable:
    return tuple(sorted((x.locator, x.quote) for x in f.facts))


def _order(c: FindingChange) -> tuple[int, str, str, str]:
    f = c.current
    return (0 if f.severity == "error" else 1), f.rule, f.period, f.key


def diff_findings(base: Iterable[Finding], head: Iterable[Finding]) -> FindingsDiff:
    p = pair(base, head, finding_identity, _content, (_where,))
    out = FindingsDiff([], [], [], [])
    for b, h in p.pairs:
        b_fail, h_fail = b.status in FAILING, h.status in FAILING
        if h_fail and not b_fail:
            out.new.append(FindingChange("new", b, h))
        elif b_fail and not h_fail:
            out.resolved.append(FindingChange("resolved", b, h))
        elif b_fail and h_fail:
            same = _content(b) == _content(h)
            (out.known if same else out.changed).append(FindingChange("known" if same else "changed", b, h))
    out.new.extend(FindingChange("new", None, h) for h in p.only_head if h.status in FAILING)
    out.resolved.extend(FindingChange("resolved", b, None) for b in p.only_base if b.status in FAILING)
    for name in CATEGORIES:
        getattr(out, name).sort(key=_order)
    return out
