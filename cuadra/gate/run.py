"""One gate: evaluate BASE and HEAD, diff their findings and their facts, decide.

One job: orchestration of the gate (``sides.py`` loads, ``diff.py`` and ``revisions.py`` compare,
the renderers write). The verdict is exit 1 exactly when HEAD adds a finding at or above
``fail_on``; known, changed and resolved findings and every data change are reported only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cuadra.contract.readers import SUPPORTED, dataset_files
from cuadra.contract.registry import Registry
from cuadra.engine import Project, project_paths, validate
from cuadra.errors import InputError
from cuadra.findings import Run
from cuadra.gate.diff import FindingChange, FindingsDiff, diff_findings
from cuadra.gate.revisions import DataDiff, diff_facts
from cuadra.gate.sides import Side, base_side, is_findings_json, side_from_findings_json, side_from_run
from cuadra.rules.catalogue import Rule

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

    @property
    def blocking(self) -> list[FindingChange]:
        return self.findings.blocking(self.fail_on)

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0


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


def run_gate(base: Path, head: Path, *, project: Project | None = None, backend: str = "both",
             fail_on: str = "error", docs_dir: Path | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> GateResult:
    """Raise :class:`cuadra.errors.CuadraError` on bad input on either side (exit 2)."""
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
        base_s = base_side(base, project, registry, rules, run.catalogue_hash)
        if progress:
            progress("base", 1, 1)
    fd = diff_findings(base_s.findings, head_s.findings)
    dd = diff_facts(base_s.facts, head_s.facts, complete=base_s.complete)
    return GateResult(base_s, head_s, run, fd, dd, fail_on, time.perf_counter() - t0, _notes(base_s, head_s),
                      list(rules), registry)
