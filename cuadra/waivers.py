"""The waiver register: known, accepted findings, each with its justification.

One job: turn a failing instance into ``waived`` when the register accepts it *for the values it
was accepted for*. A waiver names the rule, the instance key (usually the period), the values of the
facts involved, the justification (with a quote) and the date; when any of those values changes,
the waiver expires and the finding is open again. Waivers are never deleted, only expire.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from cuadra.errors import InputError
from cuadra.findings import Finding
from cuadra.yamlload import YamlError, load_yaml

__all__ = ["Waiver", "load_waivers", "apply_waivers"]


@dataclass(frozen=True)
class Waiver:
    rule: str
    key: str
    values: tuple[float, ...]
    justification: str
    date: str
    origin: str
    #: ``perdida: true``: accepts a *lost check* in ``cuadra gate`` (an instance BASE decided that HEAD
    #: no longer decides, docs/gate.md), for the BASE values; ``validate`` ignores it.
    lost: bool = False


def load_waivers(path: Path | None) -> list[Waiver]:
    if path is None or not path.exists():
        return []
    try:
        data, root = load_yaml(path)  # bounded: size, nesting, alias expansion (issue 15)
        data = data or []
    except YamlError as exc:
        raise InputError(str(path), exc.line, str(exc.col) if exc.col else None, exc.message) from None
    if isinstance(data, dict):
        data = data.get("waivers") or []
        root = next((v for k, v in root.value if k.value == "waivers"), None)  # type: ignore[union-attr]
    nodes = root.value if isinstance(root, yaml.SequenceNode) else [None] * len(data)
    out = []
    for item, node in zip(data, nodes, strict=False):
        line = node.start_mark.line + 1 if node is not None else None
        if not isinstance(item, dict):
            raise InputError(str(path), line, None, "each waiver is a mapping")
        missing = [k for k in ("rule", "period", "values", "justification", "date") if item.get(k) in (None, "")]
        if missing:
            raise InputError(str(path), line, missing[0], f"waiver needs {', '.join(missing)}")
        try:
            values = tuple(sorted(float(v) for v in item["values"]))
            date.fromisoformat(str(item["date"]))
        except (TypeError, ValueError) as exc:
            raise InputError(str(path), line, None, f"waiver values must be numbers, date YYYY-MM-DD: {exc}") \
                from None
        out.append(Waiver(str(item["rule"]), str(item["period"]), values, str(item["justification"]),
                          str(item["date"]), f"{path.name}:{line}", item.get("perdida") is True))
    return out


def _values(f: Finding) -> tuple[float, ...]:
    return tuple(sorted(x.value for x in f.facts if x.value is not None and not math.isnan(x.value)))


def apply_waivers(findings: list[Finding], waivers: list[Waiver], *,
                  only_evaluated: bool = False) -> tuple[list[Finding], list[str]]:
    """Waive what the register accepts; report each waiver whose values no longer match as expired.

    ``only_evaluated``: a waiver whose instance this run did not evaluate is not reported as
    unused (the bundled register on a steward's file: its rules do not apply there, issue 14).
    """
    waivers = [w for w in waivers if not w.lost]  # lost-check waivers are the gate's (cuadra.gate.lost)
    by_key = {(w.rule, w.key): w for w in waivers}
    used: set[tuple[str, str]] = set()
    expired: list[str] = []
    out = []
    for f in findings:
        w = by_key.get((f.rule, f.key))
        if w is not None and f.status == "fail":
            used.add((w.rule, w.key))
            if _values(f) == w.values:
                f = replace(f, status="waived", waiver=f"{w.justification} ({w.origin}, {w.date})")
            else:
                expired.append(f"{w.origin}: waiver for {w.rule} {w.key} accepted values {list(w.values)}, "
                               f"now {list(_values(f))}: expired, finding open")
        out.append(f)
    evaluated = {(f.rule, f.key) for f in findings} if only_evaluated else None
    for (rule, key), w in by_key.items():
        if (rule, key) not in used and (evaluated is None or (rule, key) in evaluated):
            expired.append(f"{w.origin}: waiver for {rule} {key} matches no failing instance")
    return out, expired
