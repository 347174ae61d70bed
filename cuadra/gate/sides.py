"""The two sides of a gate: a dataset evaluated now, or a findings JSON saved by ``validate``.

One job: turn BASE or HEAD into findings plus the facts known on that side. HEAD always runs the
full ``validate`` (both backends by default, so the gate is as strict as ``validate``). A BASE
dataset runs the numpy interval evaluator only, with the same catalogue and waivers: it is the
reference evaluator the Pandera backend wraps, the base was already validated when it was merged,
and this is what keeps the gate's cost near one ``validate``. A BASE findings JSON knows only the
facts its findings mention (``complete=False``); the gate says so in every output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cuadra.contract.facts import load_facts
from cuadra.contract.readers import load_json
from cuadra.contract.registry import Registry
from cuadra.engine import Project, findings_from_results, keep_used_reference
from cuadra.errors import InputError, InputErrors
from cuadra.findings import STATUSES, FactRef, Finding
from cuadra.gate.identity import FactState, fact_state_from_ref, fact_states_from_frame
from cuadra.rules.builtins import evaluate_builtins
from cuadra.rules.catalogue import Rule
from cuadra.rules.evaluate import FactIndex, evaluate_rules_isolated
from cuadra.waivers import Waiver, apply_waivers, load_waivers

__all__ = ["Side", "is_findings_json", "base_side", "evaluate_frame", "side_from_findings_json", "side_from_run"]


@dataclass
class Side:
    label: str
    findings: list[Finding]
    facts: list[FactState]
    complete: bool
    catalogue_hash: str
    expired_waivers: list[str] = field(default_factory=list)


def is_findings_json(path: Path) -> bool:
    """A ``.json`` file whose top level has ``summary`` and ``findings`` (a dataset JSON never does)."""
    if not (path.is_file() and path.suffix.lower() == ".json"):
        return False
    try:
        data = load_json(path)  # bounded: size, nesting (issue 15)
    except InputError:
        return False  # let the dataset reader report it with its line
    return isinstance(data, dict) and "findings" in data and "summary" in data


def side_from_run(label: str, findings: list[Finding], facts: pd.DataFrame, catalogue: str,
                  expired: list[str]) -> Side:
    return Side(label, findings, fact_states_from_frame(facts), True, catalogue, list(expired))


def base_side(path: Path, project: Project, registry: Registry, rules: Sequence[Rule], catalogue: str) -> Side:
    """Evaluate a BASE dataset with the numpy evaluator, reusing HEAD's registry and catalogue.

    Reusing what HEAD's ``validate`` already loaded (YAML parsing is most of a run's cost on the
    bundle) is what keeps the gate's price near one ``validate``; it also guarantees that both
    sides are judged by the same rules.
    """
    if is_findings_json(path):
        return side_from_findings_json(path)
    facts = keep_used_reference(load_facts(path, registry, extra=project.reference).facts, path, project.reference,
                                rules)  # as HEAD's validate does (issue 14)
    waivers = [*load_waivers(project.waivers), *(w for p in project.extra_waivers for w in load_waivers(p))]
    findings, expired = evaluate_frame(facts, rules, waivers)
    return side_from_run(str(path), findings, facts, catalogue, expired)


def evaluate_frame(facts: pd.DataFrame, rules: Sequence[Rule],
                   waivers: Sequence[Waiver] = ()) -> tuple[list[Finding], list[str]]:
    """Every instance of the built-ins and ``rules`` on a facts frame, waivers applied.

    The same instances, in the same order, as the Pandera backend collects (``checks/schema.py``)
    without the schema machinery around them.
    """
    index = FactIndex(facts)
    results, broken = evaluate_builtins(index), []
    for rule, result in zip(rules, evaluate_rules_isolated(rules, index), strict=True):
        if not isinstance(result, Exception):
            results.append(result)
        else:  # as in the Pandera backend: a rule that cannot run is an error finding
            exc = result
            broken.append(Finding(rule=rule.id, kind=rule.kind, key="*", period="", status="error",
                                  severity=rule.severity, titulo=rule.titulo, expr=rule.expr,
                                  fuentes=tuple(rule.fuentes), lhs=(None, None), rhs=(None, None), imbalance=None,
                                  imbalance_rel=None, reason=f"el evaluador no pudo evaluar la regla: {exc}",
                                  facts=()))
    return apply_waivers([*findings_from_results(results, facts), *broken], list(waivers), only_evaluated=True)


_FINDING_FIELDS: dict[str, type] = {"rule": str, "key": str, "period": str, "status": str, "severity": str,
                                    "facts": list}
_FACT_FIELDS: dict[str, type] = {"concept": str, "period": str, "source": str, "scale": int, "decimals": int}


def _num(x: object) -> float | None:
    if x is None:
        return None
    v = float(x)  # type: ignore[arg-type]  # a JSON number, checked by the caller
    return None if math.isnan(v) else v


def _check(obj: object, fields: Mapping[str, type], file: str, where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise InputError(file, None, where, "expected an object")
    for name, kind in fields.items():
        if not isinstance(obj.get(name), kind) or isinstance(obj.get(name), bool):
            raise InputError(file, None, f"{where}.{name}", f"expected {name} ({kind.__name__}), as written by "
                             "`cuadra validate --json`")
    return obj


def _fact(x: dict[str, Any], file: str, where: str) -> FactRef:
    value = x.get("value")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InputError(file, None, f"{where}.value", "expected a number or null")
    return FactRef(fact_id=str(x.get("fact_id", "")), concept=str(x["concept"]), period=str(x["period"]),
                   value=_num(value), scale=int(x["scale"]), decimals=int(x["decimals"]),
                   rounding=str(x.get("rounding") or "nearest"), source=str(x["source"]),
                   locator=str(x.get("locator", "")), quote=str(x.get("quote", "")),
                   published=str(x.get("published", "")), lo=None, hi=None,
                   status=str(x.get("status") or "final"), unit=str(x.get("unit") or ""))


def _pair(x: object) -> tuple[float | None, float | None]:
    if isinstance(x, list) and len(x) == 2:
        return _num(x[0]), _num(x[1])
    return None, None


def side_from_findings_json(path: Path) -> Side:
    """Read a findings JSON; every malformed entry is reported as ``file:findings[i].field``."""
    file = str(path)
    data = load_json(path)  # bounded: size, nesting (issue 15)
    if not isinstance(data, dict):
        raise InputError(file, None, None, "expected a findings JSON object (summary, run, findings)")
    errors: list[InputError] = []
    findings: list[Finding] = []
    items = data.get("findings")
    if not isinstance(items, list):
        raise InputError(file, None, "findings", "expected a list of findings")
    for i, item in enumerate(items):
        where = f"findings[{i}]"
        try:
            f = _check(item, _FINDING_FIELDS, file, where)
            if f["status"] not in STATUSES:
                raise InputError(file, None, f"{where}.status", f"status {f['status']!r}: expected one of "
                                 f"{', '.join(STATUSES)}")
            facts = tuple(_fact(_check(x, _FACT_FIELDS, file, f"{where}.facts[{j}]"), file, f"{where}.facts[{j}]")
                          for j, x in enumerate(f["facts"]))
        except InputError as exc:
            errors.append(exc)
            continue
        rel, gap = f.get("imbalance_rel"), f.get("imbalance")
        findings.append(Finding(
            rule=str(f["rule"]), kind=str(f.get("kind", "")), key=str(f["key"]), period=str(f["period"]),
            status=str(f["status"]), severity=str(f["severity"]), titulo=str(f.get("titulo", "")),
            expr=str(f.get("expr", "")), fuentes=tuple(str(x) for x in f.get("fuentes") or []),
            lhs=_pair(f.get("lhs")), rhs=_pair(f.get("rhs")),
            imbalance=_num(gap) if isinstance(gap, int | float) else None,
            imbalance_rel=_num(rel) if isinstance(rel, int | float) else None,
            reason=str(f.get("reason") or ""), facts=facts,
            waiver=str(f["waiver"]) if f.get("waiver") else None,
            template=str(f["template"]) if f.get("template") else None,
            bindings=tuple(sorted((str(k), str(v)) for k, v in (f.get("bindings") or {}).items()))))
    if errors:
        raise InputErrors(errors)
    seen: dict[str, FactState] = {}
    for finding in findings:
        for ref in finding.facts:
            state = fact_state_from_ref(ref)
            seen.setdefault(ref.fact_id or repr(state), state)
    run: dict[str, Any] = data["run"] if isinstance(data.get("run"), dict) else {}
    return Side(file, findings, list(seen.values()), False, str(run.get("catalogue_hash", "")),
                list(run.get("expired_waivers") or []))
