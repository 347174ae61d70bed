"""Machine-readable outputs of a gate: the gate JSON (docs/gate.md) and JUnit XML for CI.

One job: write a :class:`GateResult` for a CI system. JUnit: one suite per category; every new
finding is a testcase, a ``<failure>`` when it blocks; known and changed findings are
``<skipped>`` (reported, never blocking); resolved findings and data changes pass, each with its
figures and provenance in ``system-out``, so the CI page alone says what changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from cuadra.atomic import atomic_path, write_text_atomic
from cuadra.escape import clean_xml_tree
from cuadra.findings import finding_identity
from cuadra.gate.diff import CATEGORIES, FindingChange
from cuadra.gate.identity import FactState
from cuadra.gate.revisions import FactChange
from cuadra.gate.run import GateResult
from cuadra.report.machine import describe_instance

__all__ = ["gate_json", "write_gate_json", "write_gate_junit", "describe_change", "describe_fact"]

GATE_JSON_VERSION = 1


def describe_fact(f: FactState) -> str:
    shown = f.published or ("—" if f.value is None else f"{f.value:,.10g} (escala {f.scale})")
    return f"{shown} [{f.status}] ({f.source}:{f.locator})"


def describe_change(c: FactChange) -> str:
    flip = f", estado {c.status_flip}" if c.status_flip else ""
    return (f"{c.kind} {c.base.concept}[{c.base.period}] {c.base.source}: {describe_fact(c.base)} → "
            f"{describe_fact(c.head)}{flip}")


def _change_json(c: FindingChange, blocking: set[int]) -> dict[str, object]:
    rule, period, scope, facts = finding_identity(c.current)
    return {"category": c.category, "blocking": id(c) in blocking, "rule": rule, "period": period,
            "severity": c.current.severity, "identity": {"rule": rule, "period": period, "scope": scope,
                                                          "facts": [list(x) for x in facts]},
            "base_status": c.base_status, "head_status": c.head_status,
            "base": c.base.to_json() if c.base else None, "head": c.head.to_json() if c.head else None}


def _fact_json(f: FactState) -> dict[str, object]:
    return {"concept": f.concept, "period": f.period, "source": f.source, "value": f.value, "scale": f.scale,
            "decimals": f.decimals, "rounding": f.rounding, "status": f.status, "unit": f.unit,
            "published": f.published, "locator": f.locator, "quote": f.quote, "fact_id": f.fact_id}


def gate_json(g: GateResult) -> dict[str, object]:
    blocking = {id(c) for c in g.blocking}
    return {
        "gate_version": GATE_JSON_VERSION,
        "verdict": {"exit": g.exit_code, "fail_on": g.fail_on, "blocking": len(blocking),
                    "seconds": round(g.seconds, 3)},
        "base": {"path": g.base.label, "complete": g.base.complete, "facts": len(g.base.facts),
                 "findings": len(g.base.findings), "catalogue_hash": g.base.catalogue_hash},
        "head": {"path": g.head.label, "complete": True, "facts": len(g.head.facts),
                 "findings": len(g.head.findings), "catalogue_hash": g.head.catalogue_hash,
                 "summary": g.run.summary()},
        "counts": {"findings": g.findings.counts(), "data": g.data.counts()},
        "notes": g.notes,
        "expired_waivers": g.head.expired_waivers,
        "findings": {k: [_change_json(c, blocking) for c in getattr(g.findings, k)] for k in CATEGORIES},
        "data": {"complete": g.data.complete, "added": [_fact_json(f) for f in g.data.added],
                 "removed": [_fact_json(f) for f in g.data.removed],
                 "changes": [c.to_json() for c in g.data.changes]},
    }


def write_gate_json(g: GateResult, path: Path) -> None:
    write_text_atomic(path, json.dumps(gate_json(g), ensure_ascii=False, indent=1, allow_nan=False))


def _name(c: FindingChange) -> str:
    f = c.current
    return f"{f.rule} {f.key}"


def write_gate_junit(g: GateResult, path: Path) -> None:
    blocking = {id(c) for c in g.blocking}
    root = ET.Element("testsuites", name="cuadra.gate")

    def suite(name: str) -> ET.Element:
        return ET.SubElement(root, "testsuite", name=f"cuadra.gate.{name}")

    new = suite("nuevos")
    for c in g.findings.new:
        case = ET.SubElement(new, "testcase", classname="cuadra.gate.nuevos", name=_name(c))
        text = describe_instance(c.current) + (f" (antes: {c.base_status})" if c.base else " (antes: no existía)")
        if id(c) in blocking:
            ET.SubElement(case, "failure", message=f"hallazgo nuevo: {c.current.titulo}").text = text
        else:
            ET.SubElement(case, "system-out").text = f"nuevo, bajo --fail-on {g.fail_on}: {text}"
    if not g.findings.new:
        ET.SubElement(new, "testcase", classname="cuadra.gate.nuevos", name="sin hallazgos nuevos")
    for name, items in (("cambiados", g.findings.changed), ("conocidos", g.findings.known)):
        s = suite(name)
        for c in items:
            case = ET.SubElement(s, "testcase", classname=f"cuadra.gate.{name}", name=_name(c))
            ET.SubElement(case, "skipped", message=f"{name[:-1]}: no bloquea")
            ET.SubElement(case, "system-out").text = describe_instance(c.current)
    s = suite("resueltos")
    for c in g.findings.resolved:
        case = ET.SubElement(s, "testcase", classname="cuadra.gate.resueltos", name=_name(c))
        ET.SubElement(case, "system-out").text = f"ahora {c.head_status}: {describe_instance(c.current)}"
    s = suite("datos")
    for ch in g.data.changes:
        case = ET.SubElement(s, "testcase", classname="cuadra.gate.datos",
                             name=f"{ch.kind} {ch.base.concept}[{ch.base.period}] {ch.base.source}")
        ET.SubElement(case, "system-out").text = describe_change(ch)
    for sub in root:
        cases = list(sub.iter("testcase"))
        sub.set("tests", str(len(cases)))
        sub.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        sub.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in root)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in root)))
    clean_xml_tree(root)  # data may hold characters XML forbids (a NUL, a form feed)
    with atomic_path(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
