"""Every number a gate prints, computed once (issue 19).

One job: count. The terminal, the gate JSON, the Markdown heading and table and the JUnit read
these numbers and never count for themselves: a heading that counted blocking findings beside a
table that counted all new ones printed "2 nuevos" over "nuevos 3" for one ×1000 slip (one of the
three new findings was a warning, below ``--fail-on error``). Both numbers are here, named.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cuadra.gate.diff import FindingsDiff, severities
from cuadra.gate.lost import LostCheck
from cuadra.gate.revisions import DataDiff

__all__ = ["GateCounts", "count_gate"]


@dataclass(frozen=True)
class GateCounts:
    new: int  # new findings, every severity
    new_blocking: int  # of which at or above --fail-on
    changed: int
    resolved: int
    known: int
    lost: int  # lost checks, every severity, accepted ones included
    lost_blocking: int  # not accepted and at or above --fail-on
    lost_accepted: int
    added: int | None  # None when BASE is a findings JSON (added facts unknown)
    removed: int
    revision: int
    refinement: int
    restated: int
    status_flips: int
    unchanged: int
    head: dict[str, int]  # HEAD's validate summary (the Data Docs print the same)

    @property
    def blocking(self) -> int:
        return self.new_blocking + self.lost_blocking

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0

    def verdict(self, fail_on: str) -> str:
        """The verdict in words, the same sentence in the terminal and the Markdown heading."""
        if not self.blocking:
            return f"sin hallazgos nuevos ni comprobaciones perdidas con severidad ≥ {fail_on}"
        parts = [f"{self.new_blocking} hallazgo(s) nuevo(s)"] if self.new_blocking else []
        if self.lost_blocking:
            parts.append(f"{self.lost_blocking} comprobación(es) perdida(s)")
        return f"{self.blocking} bloqueante(s) con severidad ≥ {fail_on}: {' y '.join(parts)}"

    def to_json(self) -> dict[str, object]:
        d = asdict(self)
        return {"blocking": self.blocking,
                "findings": {k: d[k] for k in ("new", "new_blocking", "changed", "resolved", "known")},
                "lost": {"lost": self.lost, "blocking": self.lost_blocking, "accepted": self.lost_accepted},
                "data": {k: d[k] for k in ("added", "removed", "revision", "refinement", "restated", "status_flips",
                                           "unchanged")},
                "head": dict(self.head)}


def count_gate(findings: FindingsDiff, lost: list[LostCheck], data: DataDiff, fail_on: str,
               head_summary: dict[str, int]) -> GateCounts:
    dc = data.counts()
    levels = severities(fail_on)
    return GateCounts(
        new=len(findings.new), new_blocking=sum(1 for c in findings.new if c.current.severity in levels),
        changed=len(findings.changed), resolved=len(findings.resolved), known=len(findings.known),
        lost=len(lost), lost_blocking=sum(1 for c in lost if c.blocks(fail_on)),
        lost_accepted=sum(1 for c in lost if c.accepted), added=dc["added"] if data.complete else None,
        removed=dc["removed"], revision=dc["revision"], refinement=dc["refinement"], restated=dc["restated"],
        status_flips=dc["status_flips"], unchanged=dc["unchanged"], head=dict(head_summary))
