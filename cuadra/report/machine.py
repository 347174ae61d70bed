"""Machine-readable renderers: the findings JSON (a public interface) and JUnit XML for CI.

One job: write a Run to a file a CI system reads. JUnit: one testsuite per rule kind, one testcase
per rule; a rule with a failing instance is a ``<failure>`` (severity error) and lists each
failing instance with its figures and provenance, so the CI page alone says what broke.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree as ET

from cuadra.atomic import atomic_path
from cuadra.escape import clean_xml_tree
from cuadra.findings import Finding, Run

__all__ = ["write_json", "write_junit", "describe_instance"]


def write_json(run: Run, path: Path) -> None:
    """The findings JSON, one finding per line, streamed, written atomically.

    Why not ``json.dumps(run.to_json(), indent=1)``: an indented dump runs Python's pure-Python
    encoder (the C one has no indentation), and the whole document as dicts costs memory in
    proportion to every instance; on 100 k instances that was most of a run and a gigabyte. Each
    finding is encoded by the C encoder on its own line as it is written, so the file stays diffable
    line by line; the layout is unchanged.
    """
    head = json.dumps(run.head_json(), ensure_ascii=False, indent=1, allow_nan=False)
    enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.write(head[:-2] + ',\n "findings": [')
        for i, f in enumerate(run.findings):
            fh.write(("\n" if i == 0 else ",\n") + enc.encode(f.to_json()))
        fh.write("\n ]\n}\n" if run.findings else "]\n}\n")


def describe_instance(f: Finding) -> str:
    """One instance in a line: intervals and figures as the reports print them (never ``%g``)."""
    from cuadra.report.figures import figure, interval, num

    facts = "; ".join(f"{x.concept}[{x.period}] = {figure(x)} ({x.source}:{x.locator})" for x in f.facts)
    gap = f", desbalance {num(f.imbalance)}" if f.imbalance else ""
    return (f"{f.rule} {f.key}: {f.status} — izquierda {interval(*f.lhs)}, derecha {interval(*f.rhs)}{gap}. "
            f"{f.reason + '. ' if f.reason else ''}{facts}")


def write_junit(run: Run, path: Path, fail_on: str = "error") -> None:
    by_kind: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in run.findings:
        by_kind[f.kind][f.rule].append(f)
    failing = {id(f) for f in run.failing(fail_on)}
    root = ET.Element("testsuites", name="cuadra", tests=str(sum(len(v) for v in by_kind.values())))
    for kind, rules in sorted(by_kind.items()):
        suite = ET.SubElement(root, "testsuite", name=f"cuadra.{kind}", tests=str(len(rules)))
        n_fail = 0
        for rid, instances in sorted(rules.items()):
            case = ET.SubElement(suite, "testcase", classname=f"cuadra.{kind}", name=rid)
            bad = [f for f in instances if id(f) in failing]
            if bad:
                n_fail += 1
                node = ET.SubElement(case, "failure", message=f"{len(bad)} instancia(s): {bad[0].titulo}")
                node.text = "\n".join(describe_instance(f) for f in bad)
            elif all(f.status in ("indeterminate",) for f in instances):
                ET.SubElement(case, "skipped", message="todas las instancias son indeterminadas")
            other = [f for f in instances if f.status in ("fail", "indeterminate") and id(f) not in failing]
            if other:
                ET.SubElement(case, "system-out").text = "\n".join(describe_instance(f) for f in other)
        suite.set("failures", str(n_fail))
    clean_xml_tree(root)  # data may hold characters XML forbids (a NUL, a form feed)
    with atomic_path(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
