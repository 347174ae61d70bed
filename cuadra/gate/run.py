"""One gate: evaluate BASE and HEAD, diff their findings and their facts, decide.

One job: orchestration of the gate (``sides.py`` loads, ``diff.py``, ``lost.py`` and ``revisions.py``
compare, ``counts.py`` counts once, the renderers write). The verdict is exit 1 exactly when HEAD
adds a finding, or loses a check that no option or waiver accepts, at or above ``fail_on``; known,
changed and resolved findings and every data change are reported only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cuadra.contract.readers import SUPPORTED, dataset_files
from cuadra.contract.registry import Registry
from cuadra.engine import Project, project_paths, validate
from cuadra.errors import InputError
from cuadra.findings import Run
from cuadra.gate.counts import GateCounts, count_gate
from cuadra.gate.diff import FindingChange, FindingsDiff, diff_findings
from cuadra.gate.lost import LostCheck, accept_lost, find_lost
from cuadra.gate.revisions import DataDiff, diff_facts
from cuadra.gate.sides import Side, base_side, is_findings_json, side_from_findings_json, side_from_run
from cuadra.rules.catalogue import Rule, load_catalogue
from cuadra.waivers import load_waivers

__all__ = ["GateResult", "run_gate"]


@dataclass
class GateResult:
    base: Side
    head: Side
    run: Run
    findings: FindingsDiff
    data: DataDiff
    fail_on: str
    seconds: float
    notes: list[str] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)  # HEAD's catalogue and registry, for the Data Docs
    registry: Registry | None = None
    lost: list[LostCheck] = field(default_factory=list)
    counts: GateCounts | None = None  # set by run_gate: every output prints these numbers

    def __post_init__(self) -> None:
        if self.counts is None:
            self.counts = count_gate(self.findings, self.lost, self.data, self.fail_on, self.run.summary())

    @property
    def blocking(self) -> list[FindingChange]:
        """The new findings that block (the lost checks that block: :attr:`blocking_lost`)."""
        return self.findings.blocking(self.fail_on)

    @property
    def blocking_lost(self) -> list[LostCheck]:
        return [c for c in self.lost if c.blocks(self.fail_on)]

    @property
    def exit_code(self) -> int:
        assert self.counts is not None
        return self.counts.exit_code


def _notes(base: Side, head: Side) -> list[str]:
    notes = []
    if base.complete and not base.facts:
        notes.append("BASE es una carpeta vacía: un conjunto de datos nuevo, todos sus hechos se añaden y todo "
                     "hallazgo es nuevo.")
    if not base.complete:
        notes.append(f"BASE es un JSON de hallazgos: sólo se conocen los {len(base.facts)} hechos que sus "
                     "hallazgos mencionan; no se listan hechos añadidos y las revisiones se limitan a ellos.")
    if base.catalogue_hash and base.catalogue_hash != head.catalogue_hash:
        notes.append(f"BASE se evaluó con otro catálogo de reglas ({base.catalogue_hash}, HEAD "
                     f"{head.catalogue_hash}): las instancias de reglas nuevas aparecen como hallazgos nuevos.")
    return notes


def _base_rules(rules: Sequence[Rule], run: Run, project: Project, registry: Registry) -> list[Rule]:
    """HEAD's applying rules, plus those "no aplica" on HEAD (issue 14), which BASE may still decide.

    A rule none of whose operands HEAD states is left out of HEAD's run; judged by HEAD's rules
    alone, BASE would never show the checks such a removal loses. The catalogue is parsed again
    only when HEAD left a rule out.
    """
    if not run.n_no_aplica:
        return list(rules)
    have = {r.id for r in rules}
    return [*rules, *(r for r in load_catalogue(project.rules, registry.concepts) if r.id not in have)]


def run_gate(base: Path, head: Path, *, project: Project | None = None, backend: str = "both",
             fail_on: str = "error", docs_dir: Path | None = None,
             progress: Callable[[str, int, int], None] | None = None,
             accept_lost_patterns: Sequence[str] = ()) -> GateResult:
    """Raise :class:`cuadra.errors.CuadraError` on bad input on either side (exit 2).

    ``accept_lost_patterns``: ``RULE`` or ``RULE:KEY`` patterns (``--accept-lost``) whose lost
    checks are accepted (a deliberate removal); ``perdida: true`` waivers accept them too.
    """
    t0 = time.perf_counter()
    project = project or project_paths()
    if is_findings_json(head):
        raise InputError(str(head), None, None, "HEAD must be a dataset (a folder or a facts file); only BASE "
                         "may be a findings JSON saved by `cuadra validate --json`")
    empty_base = base.is_dir() and not any(f.suffix.lower() in SUPPORTED for f in base.rglob("*"))
    if is_findings_json(base):
        base_s = side_from_findings_json(base)  # bad input on BASE fails before HEAD's long run
    elif not empty_base:
        dataset_files(base)  # a missing or unsupported BASE fails before HEAD's long run, too
    run, facts, rules, registry = validate(head, backend=backend, project=project, docs_dir=docs_dir,
                                           progress=progress)
    head_s = side_from_run(str(head), run.findings, facts, run.catalogue_hash, run.expired_waivers)
    if empty_base:
        # A dataset new in this change (CI copies its folder from a merge base that lacks it).
        base_s = Side(str(base), [], [], True, run.catalogue_hash)
    elif not is_findings_json(base):
        if progress:
            progress("base", 0, 1)
        base_s = base_side(base, project, registry, _base_rules(rules, run, project, registry), run.catalogue_hash)
        if progress:
            progress("base", 1, 1)
    fd = diff_findings(base_s.findings, head_s.findings)
    dd = diff_facts(base_s.facts, head_s.facts, complete=base_s.complete)
    waivers = [*load_waivers(project.waivers), *(w for p in project.extra_waivers for w in load_waivers(p))]
    lost = accept_lost(find_lost(base_s.findings, head_s.findings, dd), accept_lost_patterns, waivers)
    return GateResult(base_s, head_s, run, fd, dd, fail_on, time.perf_counter() - t0, _notes(base_s, head_s),
                      list(rules), registry, lost)
