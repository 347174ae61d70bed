"""Findings of ``cuadra microdatos validar`` in the JSON schema of ``cuadra validate``.

One job: turn engine results (:class:`FileScan`) into a :class:`cuadra.findings.Run`, one finding per
rule and file. A row rule's finding carries two more keys than a fact rule's: ``filas`` (how many
rows break it) and ``ejemplos`` (up to 20 row numbers with the values read). Writers are the ones
of ``cuadra validate`` (cuadra.report.machine).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cuadra import __version__
from cuadra.findings import Finding, FindingJSON, Run
from cuadra.microdata.expr import to_sql
from cuadra.microdata.layout import file_date
from cuadra.microdata.scan import Example, FileScan

__all__ = ["MicroFinding", "build_run", "finding_key"]


class MicroFindingJSON(FindingJSON, total=False):
    filas: int
    ejemplos: list[dict[str, object]]
    filas_archivo: int


@dataclass(frozen=True)
class MicroFinding(Finding):
    filas: int = 0
    ejemplos: tuple[Example, ...] = ()
    filas_archivo: int = 0

    def to_json(self) -> MicroFindingJSON:  # type: ignore[override]
        out = MicroFindingJSON(**super().to_json())  # type: ignore[typeddict-item]
        out["filas"] = self.filas
        out["ejemplos"] = [e.to_json() for e in self.ejemplos]
        out["filas_archivo"] = self.filas_archivo
        return out


def finding_key(f: Finding) -> tuple[str, str]:
    return f.rule, f.key


def _findings(scan: FileScan) -> list[MicroFinding]:
    fecha = file_date(scan.path)
    out = []
    for o in scan.outcomes:
        r = o.rule
        if r.indeterminate:
            status, reason = "indeterminate", r.indeterminate
        elif o.filas:
            status, reason = "fail", f"{o.filas:,} de {scan.rows:,} filas"
        else:
            status, reason = "pass", ""
        out.append(MicroFinding(
            rule=r.id, kind=f"microdatos.{r.kind}", key=scan.path.name, period=fecha.isoformat() if fecha else "",
            status=status, severity=r.severity, titulo=r.titulo, expr=to_sql(r.violation),
            fuentes=r.fuentes, lhs=(None, None), rhs=(None, None), imbalance=None, imbalance_rel=None,
            reason=reason, facts=(), filas=o.filas, ejemplos=o.ejemplos, filas_archivo=scan.rows))
    for rid in scan.disagreements:  # two lowerings of one declaration that disagree: a bug, never a pass
        out.append(MicroFinding(
            rule=f"motor.desacuerdo.{rid}", kind="microdatos.motor", key=scan.path.name,
            period=fecha.isoformat() if fecha else "", status="error", severity="error",
            titulo=f"Pandera ({scan.engine}) y SQL discrepan en {rid}", expr="", fuentes=(), lhs=(None, None),
            rhs=(None, None), imbalance=None, imbalance_rel=None, reason="veredictos distintos", facts=(),
            filas_archivo=scan.rows))
    return out


def build_run(scans: Sequence[FileScan], *, started: float, digests: Sequence[str], engine: str) -> Run:
    findings: list[Finding] = [f for s in scans for f in _findings(s)]
    rules = {f.rule for f in findings}
    cat = hashlib.sha256("\n".join(sorted(f"{f.rule}:{f.expr}" for f in findings)).encode()).hexdigest()[:16]
    return Run(findings=findings, dataset=", ".join(str(s.path) for s in scans), version=__version__,
               started=datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
               seconds=time.time() - started, catalogue_hash=cat,
               dataset_hash=hashlib.sha256("".join(digests).encode()).hexdigest()[:16],
               backends=(engine,), n_rules=len(rules), n_facts=sum(s.rows for s in scans))
