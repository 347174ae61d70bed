"""Machine-readable renderers: the findings JSON (a public interface) and JUnit XML for CI.

One job: write a Run to a file a CI system reads. JUnit: one testsuite per rule kind, one testcase
per rule; a rule with a failing instance is a ``<failure>`` (severity error) and lists each
failing instance with its figures and provenance, so the CI page alone says what broke.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

from cuadra.atomic import atomic_path
from cuadra.escape import clean_xml_tree
from cuadra.findings import Finding, Run, blocks
from cuadra.findingset import tally, where

__all__ = ["write_json", "write_junit", "describe_instance"]


#: Findings written between two calls of the progress callback.
PROGRESS_EVERY = 10_000


def write_json(run: Run, path: Path, progress: Callable[[int, int], None] | None = None) -> None:
    """The findings JSON, one finding per line, streamed, written atomically.

    Why not ``json.dumps(run.to_json(), indent=1)``: an indented dump runs Python's pure-Python
    encoder (the C one has no indentation), and the whole document as dicts costs memory in
    proportion to every instance; on 100 k instances that was most of a run and a gigabyte. Each
    finding is encoded by the C encoder on its own line as it is written, so the file stays diffable
    line by line; the layout is unchanged. With a :class:`cuadra.findingset.FindingSet` each finding
    is also built only as it is written, so the run holds one at a time (issue 15, bounded memory).
    ``progress(done, total)`` counts the findings written.
    """
    head = json.dumps(run.head_json(), ensure_ascii=False, indent=1, allow_nan=False)
    enc = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
    total = len(run.findings)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as fh:
        fh.write(head[:-2] + ',\n "findings": [')
        for i, f in enumerate(run.findings):
            fh.write(("\n" if i == 0 else ",\n") + enc.encode(f.to_json()))
            if progress is not None and i % PROGRESS_EVERY == 0:
                progress(i, total)
        fh.write("\n ]\n}\n" if total else "]\n}\n")
    if progress is not None:
        progress(total, total)


def describe_instance(f: Finding) -> str:
    """One instance in a line: intervals and figures as the reports print them (never ``%g``)."""
    from cuadra.report.figures import figure, interval, num

    facts = "; ".join(f"{x.concept}[{x.period}] = {figure(x)} ({x.source}:{x.locator})" for x in f.facts)
    gap = f", desbalance {num(f.imbalance)}" if f.imbalance else ""
    return (f"{f.rule} {f.key}: {f.status} — izquierda {interval(*f.lhs)}, derecha {interval(*f.rhs)}{gap}. "
            f"{f.reason + '. ' if f.reason else ''}{facts}")


def write_junit(run: Run, path: Path, fail_on: str = "error") -> None:
    """One testsuite per kind, one testcase per rule: its statuses from the counts, and only its
    failing and indeterminate instances built and described (never every passing one)."""
    statuses: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for rule, kind, _severity, status in tally(run.findings):
        statuses[kind][rule].add(status)
    bad: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    others: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in where(run.findings, ("fail", "error", "indeterminate")):
        if blocks(f, fail_on):
            bad[(f.kind, f.rule)].append(f)
        elif f.status in ("fail", "indeterminate"):
            others[(f.kind, f.rule)].append(f)
    root = ET.Element("testsuites", name="cuadra", tests=str(sum(len(v) for v in statuses.values())))
    for kind, rules in sorted(statuses.items()):
        suite = ET.SubElement(root, "testsuite", name=f"cuadra.{kind}", tests=str(len(rules)))
        n_fail = 0
        for rid, seen in sorted(rules.items()):
            case = ET.SubElement(suite, "testcase", classname=f"cuadra.{kind}", name=rid)
            failing = bad.get((kind, rid), [])
            if failing:
                n_fail += 1
                node = ET.SubElement(case, "failure", message=f"{len(failing)} instancia(s): {failing[0].titulo}")
                node.text = "\n".join(describe_instance(f) for f in failing)
            elif seen == {"indeterminate"}:
                ET.SubElement(case, "skipped", message="todas las instancias son indeterminadas")
            other = others.get((kind, rid), [])
            if other:
                ET.SubElement(case, "system-out").text = "\n".join(describe_instance(f) for f in other)
        suite.set("failures", str(n_fail))
    clean_xml_tree(root)  # data may hold characters XML forbids (a NUL, a form feed)
    with atomic_path(path) as tmp:
        ET.ElementTree(root).write(tmp, encoding="utf-8", xml_declaration=True)
