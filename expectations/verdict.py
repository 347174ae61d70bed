"""cuadra's verdict in GX's result: the GX pages tell the same story as cuadra's pages.

One job: rewrite a GX ``ExpectationSuiteValidationResult`` before it is stored and rendered, so
that an expectation fails exactly when one of its rules has an instance that fails (or errs) in
cuadra's final findings. An expectation is a family of rules (a catalogue file, a template, a
built-in: ``expectations.suite.families``); GX's ``UnexpectedRowsExpectation`` has two outcomes,
a rule instance five. The suite's query still returns every instance that is neither ``pass`` nor
a documented reading (the two backends are compared on those rows, engine._disagreements), so here:

- ``success`` is true unless an instance of one of its rules is ``fail`` in cuadra too (not waived
  by the register, not indeterminate) or one of its rules erred;
- ``observed_value``, the column GX prints beside each expectation, says in Spanish how many
  instances fail (what cuadra's index counts), how many are waived or indeterminate (not failures)
  and how many pass, and, for a family, how many of its rules have a failing instance; each rule's
  line in a family's description starts with the same counts for that rule; ``no_cumplen`` keeps the
  failing count as a number, and the details keep only the failing instances;
- the statistics (evaluated, successful, unsuccessful, percent) and the overall success are
  recomputed from the adjusted results.

What GX cannot express is written down in docs/specs/data-docs.md ("GX and cuadra").
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from cuadra.findings import Finding
from expectations.suite import RULE_LINE

__all__ = ["agree", "rule_counts"]

_FAILING = ("fail", "error")


def rule_counts(findings: Sequence[Finding]) -> dict[str, Counter[str]]:
    """Per rule: how many instances ended in each status (after waivers)."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        rid = f.rule.removeprefix("backend.desacuerdo.")
        out[rid][f.status] += 1
    return out


def _note(c: Counter[str]) -> str:
    parts = [f"{c['fail'] + c['error']} no cumplen"]
    if c["waived"]:
        parts.append(f"{c['waived']} dispensadas")
    if c["indeterminate"]:
        parts.append(f"{c['indeterminate']} indeterminadas (no son fallas)")
    parts.append(f"{c['pass']} cumplen")
    return ", ".join(parts)


def _rule_line(counts: dict[str, Counter[str]]) -> Callable[[re.Match[str]], str]:
    """A family description's rule line, prefixed with that rule's counts (✗ when one instance fails)."""
    def mark(m: re.Match[str]) -> str:
        c = counts.get(m["id"], Counter())
        cls = "cuadra-falla" if c["fail"] + c["error"] else "cuadra-cumple"
        return (f"<span class='cuadra-regla'><b class='{cls}'>{'✗' if cls == 'cuadra-falla' else '✓'} "
                f"{_note(c)}.</b> {m['text']}[{m['id']}]</span>")
    return mark


def _instances(row: dict[str, Any]) -> list[dict[str, Any]]:
    """A row of a rule with its own query is one instance; a family's row carries its rule's instances."""
    if "instancias" not in row:
        return [row]
    items = row["instancias"]
    return list(json.loads(items)) if isinstance(items, str) else list(items)


def agree(vr: Any, findings: Sequence[Finding]) -> None:
    """Make ``vr`` (an ``ExpectationSuiteValidationResult``) say what cuadra's findings say."""
    counts = rule_counts(findings)
    status = {(f.rule, f.key): f.status for f in findings}
    for r in vr.results:
        cfg = r.expectation_config
        members = (cfg.meta or {}).get("reglas")
        if members is None:
            continue  # a contract expectation: GX's own verdict is cuadra's
        c: Counter[str] = sum((counts.get(rid, Counter()) for rid in members), Counter())
        result = r.result if isinstance(r.result, dict) else {}
        details = result.get("details") or {}
        kept, failing = [], 0
        for row in details.get("unexpected_rows") or []:
            rid = str(row.get("regla", members[0]))
            bad = [i for i in _instances(row) if status.get((rid, str(i.get("key")))) in _FAILING]
            failing += len(bad)
            if bad:
                kept.append(bad[0] if "instancias" not in row else {**row, "instancias": bad, "no_cumplen": len(bad)})
        erred = c["error"] > 0
        r.success = not failing and not erred and not (r.exception_info or {}).get("raised_exception")
        result["no_cumplen"] = failing + (c["error"] if not failing else 0)
        note = _note(c)
        if len(members) > 1:
            bad_rules = sum(1 for rid in members if rid in counts and counts[rid]["fail"] + counts[rid]["error"])
            note = f"{bad_rules} de {len(members)} reglas con instancias que no cumplen; {note}"
            if cfg.description:
                cfg.description = RULE_LINE.sub(_rule_line(counts), cfg.description)
        result["observed_value"] = note
        if "details" in result:
            result["details"] = {**details, "unexpected_rows": kept}
        r.result = result
    stats = vr.statistics
    evaluated = len(vr.results)
    ok = sum(bool(r.success) for r in vr.results)
    stats.update({"evaluated_expectations": evaluated, "successful_expectations": ok,
                  "unsuccessful_expectations": evaluated - ok,
                  "success_percent": 100.0 * ok / evaluated if evaluated else None})
    vr.success = ok == evaluated
