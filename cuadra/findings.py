"""Findings: what every rule instance concluded, as frozen values, and the run that holds them.

One job: the data model of results. JSON, JUnit, the terminal and the Data Docs are renderers of a
:class:`Run`; the JSON layout (README "Findings JSON") is a public interface, written down here as
TypedDicts so that it cannot drift silently.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

__all__ = ["FactRef", "Finding", "FindingIdentity", "Run", "Summary", "STATUSES", "finding_identity", "blocks"]

STATUSES = ("pass", "fail", "indeterminate", "waived", "error")


class FactJSON(TypedDict):
    concept: str
    period: str
    value: float | None
    scale: int
    decimals: int
    source: str
    locator: str
    quote: str
    published: str
    fact_id: str
    # Since the gate (issue 8): what a later run needs to compare figures. Older files lack them;
    # readers default to rounding "nearest", status "final", unit "".
    rounding: str
    status: str
    unit: str


class FindingJSON(TypedDict):
    rule: str
    kind: str
    key: str
    period: str
    status: str
    severity: str
    titulo: str
    expr: str
    fuentes: list[str]
    lhs: list[float | None]
    rhs: list[float | None]
    imbalance: float | None
    imbalance_rel: float | None
    reason: str
    waiver: str | None
    facts: list[FactJSON]
    # Since issue 13: the template an instance was expanded from (null for a catalogue rule or a
    # built-in) and its bindings, placeholder → concept text. Older files lack them.
    template: str | None
    bindings: dict[str, str]


class Summary(TypedDict):
    rules: int
    instances: int
    # "pass" is a keyword in Python; the JSON key is "pass" (see Run.summary).
    fail: int
    indeterminate: int
    waived: int
    error: int


@dataclass(frozen=True)
class FactRef:
    fact_id: str
    concept: str
    period: str
    value: float | None
    scale: int
    decimals: int
    rounding: str
    source: str
    locator: str
    quote: str
    published: str
    lo: float | None
    hi: float | None
    status: str = "final"
    unit: str = ""

    def to_json(self) -> FactJSON:
        return FactJSON(concept=self.concept, period=self.period, value=self.value, scale=self.scale,
                        decimals=self.decimals, source=self.source, locator=self.locator,
                        quote=self.quote, published=self.published, fact_id=self.fact_id,
                        rounding=self.rounding, status=self.status, unit=self.unit)


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


@dataclass(frozen=True)
class Finding:
    rule: str
    kind: str
    key: str
    period: str
    status: str
    severity: str
    titulo: str
    expr: str
    fuentes: tuple[str, ...]
    lhs: tuple[float | None, float | None]
    rhs: tuple[float | None, float | None]
    imbalance: float | None
    imbalance_rel: float | None
    reason: str
    facts: tuple[FactRef, ...]
    waiver: str | None = None
    template: str | None = None
    bindings: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> FindingJSON:
        rel = _num(self.imbalance_rel)
        return FindingJSON(
            rule=self.rule, kind=self.kind, key=self.key, period=self.period, status=self.status,
            severity=self.severity, titulo=self.titulo, expr=self.expr, fuentes=list(self.fuentes),
            lhs=[_num(self.lhs[0]), _num(self.lhs[1])], rhs=[_num(self.rhs[0]), _num(self.rhs[1])],
            imbalance=_num(self.imbalance), imbalance_rel=None if rel is None or math.isinf(rel) else rel,
            reason=self.reason, waiver=self.waiver, facts=[f.to_json() for f in self.facts],
            template=self.template, bindings=dict(self.bindings))


FindingIdentity = tuple[str, str, str, tuple[tuple[str, str, str], ...]]


def finding_identity(f: Finding) -> FindingIdentity:
    """Who a finding is across dataset versions: ``(rule, period, scope, facts)``.

    ``facts`` is the sorted set of the involved facts' identities ``(concept, period, source)``;
    ``scope`` is the source document of a per-document instance (the part of the key after ``@``),
    ``""`` otherwise. Nothing that a row move, a file split or an unrelated edit changes takes part:
    not ``fact_id`` (``file:row``, which is also the key of the per-fact built-ins ``publicado`` and
    ``rango``), not the locator, not the values. An instance without facts (a backend error) keeps
    its key. Two statements of one figure in one document share an identity; the gate pairs such
    twins by content (docs/gate.md).
    """
    ids = tuple(sorted({(x.concept, x.period, x.source) for x in f.facts}))
    if not ids:
        return f.rule, f.period, f.key, ()
    return f.rule, f.period, f.key.partition("@")[2], ids


def blocks(f: Finding, fail_on: str) -> bool:
    """Whether ``f`` makes a run fail: fail/error at or above the threshold severity ``fail_on``."""
    return f.status in ("fail", "error") and f.severity in (("error",) if fail_on == "error" else ("error", "warning"))


@dataclass
class Run:
    #: A list, or a :class:`cuadra.findingset.FindingSet` (the evaluator's columns, read lazily).
    findings: Sequence[Finding]
    dataset: str
    version: str
    started: str
    seconds: float
    catalogue_hash: str
    dataset_hash: str
    backends: tuple[str, ...]
    n_rules: int
    n_facts: int
    expired_waivers: list[str] = field(default_factory=list)
    gx_docs: str | None = None
    #: Catalogue rules none of whose operands the dataset states (issue 14): counted, never listed.
    n_no_aplica: int = 0

    def counts(self) -> Counter[str]:
        fast = getattr(self.findings, "counts", None)  # a FindingSet counts its status arrays
        return fast() if fast is not None else Counter(f.status for f in self.findings)

    def summary(self) -> dict[str, int]:
        c = self.counts()
        return {"rules": self.n_rules, "instances": len(self.findings), "pass": c["pass"],
                "fail": c["fail"], "indeterminate": c["indeterminate"], "waived": c["waived"],
                "error": c["error"], "facts": self.n_facts, "no_aplica": self.n_no_aplica}

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings that make the run fail: fail/error at or above the threshold severity."""
        return list(self._blocking(fail_on))

    def fails(self, fail_on: str) -> bool:
        """Whether a finding makes the run fail (the exit code): stops at the first, keeps none."""
        return next(self._blocking(fail_on), None) is not None

    def n_failing(self, fail_on: str) -> int:
        """How many findings make the run fail, counted one at a time (on 10 M facts the failing
        instances alone are hundreds of thousands of findings: none is kept)."""
        return sum(1 for _ in self._blocking(fail_on))

    def _blocking(self, fail_on: str) -> Iterator[Finding]:
        where = getattr(self.findings, "where", None)  # a FindingSet builds only those instances
        candidates = where(("fail", "error")) if where is not None else self.findings
        return (f for f in candidates if blocks(f, fail_on))

    def to_json(self) -> dict[str, object]:
        return {**self.head_json(), "findings": [f.to_json() for f in self.findings]}

    def head_json(self) -> dict[str, object]:
        """``summary`` and ``run``: everything but the findings (a writer streams those one by one)."""
        return {
            "summary": self.summary(),
            "run": {"dataset": self.dataset, "version": self.version, "started": self.started,
                    "seconds": round(self.seconds, 3), "catalogue_hash": self.catalogue_hash,
                    "dataset_hash": self.dataset_hash, "backends": list(self.backends),
                    "expired_waivers": self.expired_waivers},
        }
