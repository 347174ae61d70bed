"""Machine-readable outputs of a gate: the gate JSON (docs/gate.md) and JUnit XML for CI.

One job: write a :class:`GateResult` for a CI system. JUnit: one suite per category; every new
finding and every lost check is a testcase, a ``<failure>`` when it blocks; known and changed
findings are ``<skipped>`` (reported, never blocking); resolved findings and data changes pass,
each with its figures and provenance in ``system-out``, so the CI page alone says what changed.
Every number comes from :class:`cuadra.gate.counts.GateCounts`; bad input (exit 2) still writes
a gate JSON that says so (:func:`write_invalid_json`), so CI has something to post.
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
from cuadra.gate.lost import LostCheck
from cuadra.gate.revisions import FactChange
from cuadra.gate.run import GateResult
from cuadra.report.figures import figure
from cuadra.report.machine import describe_instance

__all__ = ["gate_json", "write_gate_json", "write_gate_junit", "describe_change", "describe_fact",
           "describe_lost", "invalid_json", "write_invalid_json", "write_invalid_junit"]

#: 2 since issue 19: lost checks, ``counts.blocking``, ``counts.findings.new_blocking``, ``counts.head``;
#: ``verdict.blocking`` counts blocking lost checks too. An invalid input writes ``verdict.exit`` 2.
GATE_JSON_VERSION = 2


def describe_fact(f: FactState) -> str:
    return f"{figure(f)} [{f.status}] ({f.source}:{f.locator})"


def describe_lost(c: LostCheck) -> str:
    """A lost check in a line: the instance on BASE, and why HEAD no longer decides it."""
    accepted = f" Aceptada: {c.accepted}." if c.accepted else ""
    return f"antes {c.base.status}: {describe_instance(c.base)} Ahora: {c.reason}.{accepted}"


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


def _lost_json(c: LostCheck, fail_on: str) -> dict[str, object]:
    rule, period, scope, facts = finding_identity(c.base)
    return {"rule": rule, "key": c.base.key, "period": period, "severity": c.severity, "titulo": c.base.titulo,
            "blocking": c.blocks(fail_on), "accepted": c.accepted,
            "identity": {"rule": rule, "period": period, "scope": scope, "facts": [list(x) for x in facts]},
            "base_status": c.base.status, "head_status": c.head_status,
            "head_reason": c.head.reason if c.head is not None else None, "reason": c.reason,
            "removed_facts": [_fact_json(f) for f in c.removed], "changed_facts": [x.to_json() for x in c.changed],
            "base": c.base.to_json(), "head": c.head.to_json() if c.head is not None else None}


def gate_json(g: GateResult) -> dict[str, object]:
    blocking = {id(c) for c in g.blocking}
    counts = g.counts
    assert counts is not None
    return {
        "gate_version": GATE_JSON_VERSION,
        "verdict": {"exit": counts.exit_code, "fail_on": g.fail_on, "blocking": counts.blocking,
                    "seconds": round(g.seconds, 3)},
        "base": {"path": g.base.label, "complete": g.base.complete, "facts": len(g.base.facts),
                 "findings": len(g.base.findings), "catalogue_hash": g.base.catalogue_hash},
        "head": {"path": g.head.label, "complete": True, "facts": len(g.head.facts),
                 "findings": len(g.head.findings), "catalogue_hash": g.head.catalogue_hash,
                 "summary": g.run.summary()},
        "counts": counts.to_json(),
        "notes": g.notes,
        "expired_waivers": g.head.expired_waivers,
        "findings": {k: [_change_json(c, blocking) for c in getattr(g.findings, k)] for k in CATEGORIES},
        "lost": [_lost_json(c, g.fail_on) for c in g.lost],
        "data": {"complete": g.data.complete, "added": [_fact_json(f) for f in g.data.added],
                 "removed": [_fact_json(f) for f in g.data.removed],
                 "changes": [c.to_json() for c in g.data.changes]},
    }


def write_gate_json(g: GateResult, path: Path) -> None:
    _write(gate_json(g), path)


def invalid_json(base: str, head: str, fail_on: str, messages: list[str]) -> dict[str, object]:
    """The gate JSON of a run that stopped on bad input (exit 2): the messages, and no counts."""
    return {"gate_version": GATE_JSON_VERSION,
            "verdict": {"exit": 2, "fail_on": fail_on, "blocking": None, "invalid_input": True,
                        "messages": list(messages)},
            "base": {"path": base}, "head": {"path": head}, "counts": None}


def write_invalid_json(base: str, head: str, fail_on: str, messages: list[str], path: Path) -> None:
    _write(invalid_json(base, head, fail_on, messages), path)


def _write(data: dict[str, object], path: Path) -> None:
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False))


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
    lost = suite("perdidas")
    for lc in g.lost:
        case = ET.SubElement(lost, "testcase", classname="cuadra.gate.perdidas", name=f"{lc.base.rule} {lc.base.key}")
        if lc.blocks(g.fail_on):
            ET.SubElement(case, "failure", message=f"comprobación perdida: {lc.base.titulo}").text = describe_lost(lc)
        else:
            why = "aceptada" if lc.accepted else f"bajo --fail-on {g.fail_on}"
            ET.SubElement(case, "system-out").text = f"perdida, {why}: {describe_lost(lc)}"
    if not g.lost:
        ET.SubElement(lost, "testcase", classname="cuadra.gate.perdidas", name="sin comprobaciones perdidas")
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
    _write_xml(root, path)


def _write_xml(root: ET.Element, path: Path) -> None:
    clean_xml_tree(root)  # data may hold characters XML forbids (a NUL, a form feed)
    with atomic_path(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)


def write_invalid_junit(messages: list[str], path: Path) -> None:
    """Bad input (exit 2) as JUnit: one failing testcase with every message, for the CI page."""
    root = ET.Element("testsuites", name="cuadra.gate", tests="1", failures="1")
    suite = ET.SubElement(root, "testsuite", name="cuadra.gate.entrada", tests="1", failures="1", skipped="0")
    case = ET.SubElement(suite, "testcase", classname="cuadra.gate.entrada", name="entrada inválida")
    ET.SubElement(case, "failure", message="entrada inválida").text = "\n".join(messages)
    _write_xml(root, path)
