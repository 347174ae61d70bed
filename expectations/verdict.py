"""cuadra's verdict in GX's result: the GX pages tell the same story as cuadra's pages.

One job: rewrite a GX ``ExpectationSuiteValidationResult`` before it is stored and rendered, so
that an expectation fails exactly when its rule has an instance that fails (or errs) in cuadra's
final findings. GX's ``UnexpectedRowsExpectation`` has two outcomes; a rule instance has five.
The suite's query still returns every instance that is neither ``pass`` nor a documented reading
(the two backends are compared on those rows, engine._disagreements), so here:

- ``success`` is true unless an unexpected row is ``fail`` in cuadra too (not waived by the
  register, not indeterminate) or the rule erred;
- ``observed_value``, the column GX prints beside each expectation, says in Spanish how many
  instances fail (what cuadra's index counts), how many are waived or indeterminate (not failures)
  and how many pass; ``no_cumplen`` keeps the failing count as a number, and the details keep only
  the failing rows;
- the statistics (evaluated, successful, unsuccessful, percent) and the overall success are
  recomputed from the adjusted results.

What GX cannot express is written down in docs/specs/data-docs.md ("GX and cuadra").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from cuadra.findings import Finding

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


def agree(vr: Any, findings: Sequence[Finding]) -> None:
    """Make ``vr`` (an ``ExpectationSuiteValidationResult``) say what cuadra's findings say."""
    counts = rule_counts(findings)
    status = {(f.rule, f.key): f.status for f in findings}
    for r in vr.results:
        cfg = r.expectation_config
        rule_id = (cfg.meta or {}).get("rule_id")
        if rule_id is None:
            continue  # a contract expectation: GX's own verdict is cuadra's
        c = counts.get(rule_id, Counter())
        result = r.result if isinstance(r.result, dict) else {}
        details = result.get("details") or {}
        rows = details.get("unexpected_rows") or []
        failing = [row for row in rows if status.get((rule_id, str(row.get("key")))) in _FAILING]
        erred = c["error"] > 0
        r.success = not failing and not erred and not (r.exception_info or {}).get("raised_exception")
        result["no_cumplen"] = len(failing) + (c["error"] if not failing else 0)
        result["observed_value"] = _note(c)
        if "details" in result:
            result["details"] = {**details, "unexpected_rows": failing}
        r.result = result
    stats = vr.statistics
    evaluated = len(vr.results)
    ok = sum(bool(r.success) for r in vr.results)
    stats.update({"evaluated_expectations": evaluated, "successful_expectations": ok,
                  "unsuccessful_expectations": evaluated - ok,
                  "success_percent": 100.0 * ok / evaluated if evaluated else None})
    vr.success = ok == evaluated
