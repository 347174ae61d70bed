"""The waiver register: known, accepted findings, each signed, dated and with an expiry.

One job: turn a failing instance into ``waived`` when the register accepts it *for the values it
was accepted for* and *until the date it was accepted until*. A waiver names the rule, the
instance key (usually the period), the values of the facts involved, the justification in Spanish
(with quotes), who accepted it (``aprobado_por``: a role, never an invented person), when
(``fecha``) and until when (``vence``). When a value changes or ``vence`` has passed, the waiver
expires and the finding is open again, named as expired. Waivers are never deleted, only expire:
an entry keeps its earlier wording under ``historial``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from cuadra.errors import InputError
from cuadra.findings import Finding
from cuadra.findingset import FindingSet, where
from cuadra.yamlload import YamlError, load_yaml

__all__ = ["Waiver", "WaiverState", "load_waivers", "apply_waivers", "waiver_states", "STATES_ES"]

_REQUIRED = ("rule", "period", "values", "justificacion", "aprobado_por", "fecha", "vence")
_KNOWN = {*_REQUIRED, "historial", "perdida"}

#: How each state of a waiver reads on the Data Docs' waiver page.
STATES_ES = {"aplicada": "aplicada", "vencida_fecha": "vencida (fecha)", "vencida_valores": "vencida (valores)",
             "sin_uso": "sin uso"}


@dataclass(frozen=True)
class Waiver:
    rule: str
    key: str
    values: tuple[float, ...]
    justification: str
    #: ISO date the waiver was accepted (``fecha``), and the last day it applies (``vence``).
    date: str
    origin: str
    aprobado_por: str = ""
    vence: str = "9999-12-31"
    historial: tuple[dict[str, str], ...] = field(default=())
    #: ``perdida: true``: accepts a *lost check* in ``cuadra gate`` (an instance BASE decided that HEAD
    #: no longer decides, docs/gate.md), for the BASE values; ``validate`` ignores it.
    lost: bool = False

    def expired_on(self, today: date) -> bool:
        """A waiver applies through its ``vence`` day, not after."""
        return date.fromisoformat(self.vence) < today


@dataclass(frozen=True)
class WaiverState:
    """What a waiver did in one run: applied, expired by date or by values, or matched nothing."""

    waiver: Waiver
    state: str
    values_now: tuple[float, ...] = ()


def _date(item: dict, name: str, path: Path, line: int | None) -> str:
    try:
        return date.fromisoformat(str(item[name])).isoformat()
    except ValueError:
        raise InputError(str(path), line, name, f"{name} must be a date YYYY-MM-DD, got {item[name]!r}") from None


def load_waivers(path: Path | None) -> list[Waiver]:
    import yaml  # lazily: a warm start parses no YAML (issue 17)

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
        missing = [k for k in _REQUIRED if item.get(k) in (None, "")]
        if missing:
            raise InputError(str(path), line, missing[0], f"waiver needs {', '.join(missing)}")
        unknown = sorted(set(item) - _KNOWN)
        if unknown:
            raise InputError(str(path), line, unknown[0], f"unknown waiver key; expected one of {sorted(_KNOWN)}")
        try:
            values = tuple(sorted(float(v) for v in item["values"]))
        except (TypeError, ValueError) as exc:
            raise InputError(str(path), line, "values", f"waiver values must be numbers: {exc}") from None
        accepted, until = _date(item, "fecha", path, line), _date(item, "vence", path, line)
        if until < accepted:
            raise InputError(str(path), line, "vence", f"vence {until} is before fecha {accepted}")
        history = item.get("historial") or []
        if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
            raise InputError(str(path), line, "historial", "historial is a list of mappings (fecha, nota)")
        out.append(Waiver(str(item["rule"]), str(item["period"]), values, str(item["justificacion"]).strip(),
                          accepted, f"{path.name}:{line}", str(item["aprobado_por"]), until,
                          tuple({str(k): str(v) for k, v in h.items()} for h in history),
                          item.get("perdida") is True))
    return out


def _values(f: Finding) -> tuple[float, ...]:
    return tuple(sorted(x.value for x in f.facts if x.value is not None and not math.isnan(x.value)))


def apply_waivers(findings: Sequence[Finding], waivers: list[Waiver], today: date | None = None, *,
                  only_evaluated: bool = False) -> tuple[Sequence[Finding], list[str]]:
    """Waive what the register accepts today; report each waiver that expired or matches nothing.

    ``today`` defaults to the current date: a waiver whose ``vence`` has passed gives its finding
    back (it stays ``fail``), and the message says so. ``only_evaluated``: a waiver whose instance
    this run did not evaluate is not reported as unused (the bundled register on a steward's file:
    its rules do not apply there, issue 14). A list gives a list; a :class:`FindingSet` gives a
    FindingSet over the same columns, and only its failing instances are built (bounded memory).
    """
    waivers = [w for w in waivers if not w.lost]  # lost-check waivers are the gate's (cuadra.gate.lost)
    today = today or date.today()
    by_key = {(w.rule, w.key): w for w in waivers}
    used: set[tuple[str, str]] = set()
    expired: list[str] = []
    out = findings.copy() if isinstance(findings, FindingSet) else FindingSet(findings)
    # Only the failing instances of waived rules are built (issue 17: not every failing instance).
    for i, f in out.enumerate_where(("fail",), {w.rule for w in waivers}) if by_key else ():
        w = by_key.get((f.rule, f.key))
        if w is not None:
            used.add((w.rule, w.key))
            if _values(f) != w.values:
                expired.append(f"{w.origin}: waiver for {w.rule} {w.key} accepted values {list(w.values)}, "
                               f"now {list(_values(f))}: expired, finding open")
            elif w.expired_on(today):
                expired.append(f"{w.origin}: waiver for {w.rule} {w.key} expired on {w.vence} (vence): "
                               f"expired, finding open")
            else:
                out[i] = replace(f, status="waived", waiver=f"{w.justification} ({w.origin}; aprobada por "
                                                            f"{w.aprobado_por} el {w.date}; vence {w.vence})")
    evaluated = out.evaluated(set(by_key)) if only_evaluated else None
    for (rule, key), w in by_key.items():
        if (rule, key) not in used and (evaluated is None or (rule, key) in evaluated):
            expired.append(f"{w.origin}: waiver for {rule} {key} matches no failing instance")
    return (out if isinstance(findings, FindingSet) else list(out)), expired


def waiver_states(findings: Sequence[Finding], waivers: Sequence[Waiver], today: date) -> list[WaiverState]:
    """Each waiver's state in a finished run (the Data Docs' waiver page), from the findings alone."""
    by_key = {(f.rule, f.key): f for f in where(findings, ("fail", "waived"))}  # any other state: sin uso
    out = []
    for w in waivers:
        f = by_key.get((w.rule, w.key))
        if f is None or f.status not in ("fail", "waived"):
            out.append(WaiverState(w, "sin_uso"))
        elif f.status == "waived":
            out.append(WaiverState(w, "aplicada", _values(f)))
        elif _values(f) != w.values:
            out.append(WaiverState(w, "vencida_valores", _values(f)))
        elif w.expired_on(today):
            out.append(WaiverState(w, "vencida_fecha", _values(f)))
        else:
            out.append(WaiverState(w, "sin_uso", _values(f)))
    return out
