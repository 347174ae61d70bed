"""One validation run: load, evaluate with both backends, compare them, apply waivers.

One job: orchestration. Everything it calls has one job of its own (contract, catalogue, the
Pandera and GX adapters, waivers); this module only wires them and turns a disagreement between
the two evaluators into an error finding, because two independent implementations of one
catalogue that disagree mean a bug, and a CI gate must not pass on a bug.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cuadra import __version__
from cuadra.cache import cached
from cuadra.contract.facts import from_files, iter_distinct_rows, load_facts
from cuadra.contract.readers import dataset_files
from cuadra.contract.registry import Registry, default_registry_paths, load_registry
from cuadra.findings import FactRef, Finding, Run
from cuadra.findingset import FindingSet, where
from cuadra.rules import periods
from cuadra.rules.catalogue import BUILTINS, BuiltinRule, Rule, catalogue_hash, load_catalogue
from cuadra.rules.evaluate import ALL, FactIndex, RuleResult
from cuadra.textcolumn import TextColumn
from cuadra.waivers import Waiver, apply_waivers, load_waivers

if TYPE_CHECKING:
    from expectations.suite import SqlPass

__all__ = ["Project", "project_paths", "load_project", "validate", "findings_from_results", "split_applying",
           "keep_used_reference", "expand_project_templates", "BACKENDS"]

BACKENDS = ("pandera", "gx", "both")
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Project:
    """Where the catalogue, the registry and the waivers are (defaults: the bundled ones)."""

    rules: tuple[Path, ...]
    registry: tuple[Path, ...]
    waivers: Path | None
    #: Reference tables loaded beside every dataset (INEGI's INPC: fixtures/reference/*.csv). They are
    #: facts with provenance like a report's, so rules can compare the reports against them.
    reference: tuple[Path, ...] = ()
    #: The steward's own waiver registers, added to ``waivers`` (issue 14: extend, never replace).
    extra_waivers: tuple[Path, ...] = ()
    #: Rule templates (rules/plantillas/*.yaml), expanded over the vocabulary and the facts present.
    templates: tuple[Path, ...] = ()


def project_paths(root: Path = ROOT) -> Project:
    fixtures = root / "fixtures"
    return Project(rules=tuple(sorted((root / "rules").glob("*.yaml"))),
                   registry=tuple(default_registry_paths(fixtures)),
                   waivers=fixtures / "waivers.yaml",
                   reference=tuple(dataset_files(ref)) if (ref := fixtures / "reference").is_dir() else (),
                   templates=tuple(sorted((root / "rules" / "plantillas").glob("*.yaml"))))


def expand_project_templates(project: Project, registry: Registry, facts: pd.DataFrame,
                             rules: Sequence[Rule]) -> list[Rule]:
    """The template instances over these facts (issue 13): ordinary rules, evaluated like any other."""
    if not project.templates:
        return []
    from cuadra.rules.templates import expand_templates, load_templates
    from cuadra.vocabulary import build_vocabulary

    present = iter_distinct_rows(facts, ["concept", "period", "source", "locator"])  # each distinct tuple, once
    templates = cached("plantillas", project.templates, lambda: load_templates(project.templates))
    return expand_templates(templates, build_vocabulary(registry), present, rules).rules


def _load_waivers(path: Path | None) -> list[Waiver]:
    """A waiver register, from the content-keyed cache when unchanged (no YAML parsed on a warm start)."""
    return cached("dispensas", [path] if path is not None else [], lambda: load_waivers(path))


def load_project(project: Project) -> tuple[Registry, list[Rule]]:
    """The registry and the compiled catalogue, from the content-keyed cache when their files are
    unchanged (``cuadra.cache``); a bad file raises as it would without the cache."""
    registry = cached("registry", project.registry, lambda: load_registry(project.registry))
    # The catalogue checks every concept against the registry: the registry's ids are part of its key.
    concepts = "\n".join(sorted(registry.concepts)).encode()
    rules = cached("catalogue", project.rules, lambda: load_catalogue(project.rules, registry.concepts), concepts)
    return registry, rules


class FactRefs:
    """Each fact's :class:`FactRef`, built on use from the frame's columns (no ``iloc``), shared while recent.

    Why: a fact takes part in several instances, usually neighbours (one rule's instances, one
    edition's periods), so a reference is built once and shared by them; but the cache is bounded
    (:attr:`KEEP`), because keeping a reference for every fact of a million-fact run is a gigabyte
    that outlives the one finding being written (issue 15, bounded memory). Each column is read one
    fact at a time (:class:`cuadra.textcolumn.TextColumn`): an arrow-backed or categorical column is
    never spelt whole (issue 17: 10 M strings per column).
    """

    #: References kept at most; past that the cache starts again (they live on in their findings).
    #: Small on purpose: neighbouring instances share within a few thousand facts, and at ~430 B a
    #: reference, 65,536 of them were ~28 MiB held from the waivers to the end of the JSON (issue 17).
    KEEP = 4_096

    COLUMNS = ("fact_id", "concept", "period", "value", "scale", "decimals", "rounding", "source", "locator",
               "quote", "published", "lo", "hi", "status", "unit")

    def __init__(self, facts: pd.DataFrame) -> None:
        self._readers = [TextColumn(facts[c]).one for c in self.COLUMNS]
        self._made: dict[int, FactRef] = {}

    def one(self, i: int) -> FactRef:
        ref = self._made.get(i)
        if ref is None:
            if len(self._made) >= self.KEEP:
                self._made.clear()
            fid, concept, period, value, scale, decimals, rounding, source, locator, quote, published, lo, hi, \
                status, unit = (read(i) for read in self._readers)
            ref = self._made[i] = FactRef(
                fact_id=str(fid), concept=str(concept), period=str(period), value=_float(value), scale=int(scale),
                decimals=int(decimals), rounding=str(rounding), source=str(source), locator=str(locator),
                quote=str(quote), published=str(published), lo=_float(lo), hi=_float(hi), status=str(status),
                unit=str(unit))
        return ref

    def __call__(self, members: Sequence[int]) -> tuple[FactRef, ...]:
        return tuple(self.one(int(i)) for i in members)


def _float(x: object) -> float | None:
    try:
        v = float(x)  # type: ignore[arg-type]
    except TypeError:  # None, or a nullable extension column's missing value (pd.NA)
        return None
    return None if v != v else v


def _finding(rule: Rule | BuiltinRule, key: str, period: str, status: str, lhs: tuple, rhs: tuple,
             gap: float | None, rel: float | None, reason: str, facts: tuple[FactRef, ...]) -> Finding:
    meta = getattr(rule, "meta", {})
    return Finding(rule=rule.id, kind=rule.kind, key=key, period=period, status=status,
                   severity=rule.severity, titulo=rule.titulo, expr=rule.expr, fuentes=tuple(rule.fuentes),
                   lhs=lhs, rhs=rhs, imbalance=gap, imbalance_rel=rel, reason=reason, facts=facts,
                   template=meta.get("plantilla"), bindings=tuple(sorted(meta.get("vinculos", {}).items())))


def findings_from_results(results: Sequence[RuleResult], facts: pd.DataFrame,
                          refs: FactRefs | None = None) -> FindingSet:
    """One finding per instance (passing ones included: the JSON lists every instance with its facts),
    kept as the results' columns and built when read (:mod:`cuadra.findingset`)."""
    return FindingSet.from_results(results, refs or FactRefs(facts))


def _members_for(rule: Rule | BuiltinRule, key: str, index: FactIndex, facts: pd.DataFrame) -> list[int]:
    """The facts an instance involves, by lookup only (for findings built from GX rows)."""
    if isinstance(rule, BuiltinRule):
        if rule.id == "duplicado":
            concept, period = key.split("|", 1)
            pos = index.lookup(concept, [period])[0]
            return [int(x) for x in index.members[pos]] if pos >= 0 else []
        return [int(i) for i in np.flatnonzero(facts["fact_id"].to_numpy() == key)]
    members: list[int] = []
    period, _, scope = key.partition("@")
    for r in rule.refs:
        p = periods.target(r, period) or ""
        pos = index.lookup(r.concept, [p], [scope or ALL])[0]
        if pos >= 0:
            members.extend(int(x) for x in index.members[pos])
    return sorted(set(members))


def _sql_findings(facts: pd.DataFrame, rules: Sequence[Rule], index: FactIndex,
                  sql: SqlPass | None = None) -> list[Finding]:
    """Every instance as the SQL compiler decides it (the GX backend's full picture); read from the
    GX backend's own SQL pass (``expectations.suite.SqlPass``) when given, else computed here."""
    import sqlite3

    from expectations.suite import RESULTS, SQL_COLUMNS, write_results

    if sql is not None:
        errors = sql.errors()
        con = sqlite3.connect(sql.db)
    else:
        con = sqlite3.connect(":memory:")
        facts[SQL_COLUMNS].to_sql("facts", con, index=False)
        errors = write_results(con, rules)
    by_id: dict[str, Rule | BuiltinRule] = {**BUILTINS, **{r.id: r for r in rules}}
    out = [_finding(by_id[rid], "*", "", "error", (None, None), (None, None), None, None,
                    f"el compilador SQL no pudo evaluar la regla: {msg}", ()) for rid, msg in errors.items()]
    refs = FactRefs(facts)
    fact_periods = facts["period"].to_numpy()
    rows = con.execute(f"SELECT regla, key, status, lhs_lo, lhs_hi, rhs_lo, rhs_hi FROM {RESULTS} ORDER BY rowid")
    for rid, key, status, llo, lhi, rlo, rhi in rows:
        rule = by_id[rid]
        members = _members_for(rule, str(key), index, facts)
        period = str(key).split("|")[-1] if rule.id == "duplicado" else (
            str(fact_periods[members[0]]) if isinstance(rule, BuiltinRule) and members
            else str(key).split("@")[0])
        out.append(_finding(rule, str(key), period, status, (llo, lhi), (rlo, rhi), None, None, "",
                            refs(members)))
    con.close()
    return out


def _disagreements(numpy_findings: Sequence[Finding], gx_statuses: dict[str, dict[str, str]],
                   gx_errors: dict[str, str], rules: dict[str, Rule | BuiltinRule]) -> list[Finding]:
    """Compare per instance: GX reports every instance that is neither pass nor waived."""
    expected: dict[str, dict[str, str]] = {}
    for f in where(numpy_findings, ("fail", "indeterminate", "error")):  # neither pass nor waived
        expected.setdefault(f.rule, {})[f.key] = f.status
    out = []
    for rid, rule in rules.items():
        if rid in gx_errors:
            out.append(_finding(rule, "*", "", "error", (None, None), (None, None), None, None,
                                f"GX no pudo evaluar la regla: {gx_errors[rid]}", ()))
            continue
        a, b = expected.get(rid, {}), gx_statuses.get(rid, {})
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                out.append(Finding(
                    rule=f"backend.desacuerdo.{rid}", kind="backend", key=key, period=key, status="error",
                    severity="error", titulo=f"Pandera y GX discrepan en {rid}", expr=rule.expr,
                    fuentes=tuple(rule.fuentes), lhs=(None, None), rhs=(None, None), imbalance=None,
                    imbalance_rel=None, reason=f"pandera: {a.get(key, 'pass')}, gx: {b.get(key, 'pass')}",
                    facts=()))
    return out


def split_applying(rules: Sequence[Rule], concepts: set[str]) -> tuple[list[Rule], list[Rule]]:
    """Rules with at least one operand among ``concepts``, and the rest: "no aplica" (issue 14).

    A rule none of whose operands the dataset states says nothing about it: it is counted once in
    the summary (``no_aplica``) and kept out of findings, tables and Data Docs, instead of one
    "falta un operando" per instance.
    """
    applying: list[Rule] = []
    idle: list[Rule] = []
    for r in rules:
        (applying if any(ref.concept in concepts for ref in r.refs) else idle).append(r)
    return applying, idle


def _reference_rows(facts: pd.DataFrame, path: Path, reference: Sequence[Path]) -> np.ndarray:
    """Which rows came from a reference table rather than from the dataset itself."""
    ref_names = {f.name for f in reference} - {f.name for f in dataset_files(path)}
    return from_files(facts, ref_names)


def keep_used_reference(facts: pd.DataFrame, path: Path, reference: Sequence[Path],
                        rules: Sequence[Rule], is_ref: np.ndarray | None = None) -> pd.DataFrame:
    """Drop the reference facts no rule of ``rules`` uses (issue 14: no 78 INPC facts for nothing);
    ``is_ref``: which rows are reference rows, when the caller has matched them already."""
    is_ref = _reference_rows(facts, path, reference) if is_ref is None else is_ref
    if not is_ref.any():
        return facts
    used = {ref.concept for r in rules for ref in r.refs}
    keep = ~is_ref | facts["concept"].isin(used).to_numpy()
    if keep.all():
        return facts
    k = int(np.argmin(keep))
    if not keep[k:].any():  # reference rows are read last: dropping a tail is a view, not a copy of the frame
        return facts.iloc[:k]
    return facts.loc[keep].reset_index(drop=True)


def _without_unused_reference(facts: pd.DataFrame, path: Path, reference: Sequence[Path],
                              rules: Sequence[Rule]) -> tuple[pd.DataFrame, list[Rule], list[Rule]]:
    """Split the rules on the dataset's own concepts; keep reference facts only if an applying rule uses them."""
    is_ref = _reference_rows(facts, path, reference)
    applying, idle = split_applying(rules, set(facts.loc[~is_ref, "concept"].unique()))  # on codes, not a str a fact
    # The ids are matched against the reference files once (a regex over every fact id).
    return keep_used_reference(facts, path, reference, applying, is_ref), applying, idle


def _dataset_hash(files: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        with f.open("rb") as fh:  # in blocks: one dataset file may weigh a gigabyte
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def validate(
    path: Path,
    *,
    backend: str = "both",
    project: Project | None = None,
    docs_dir: Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Run, pd.DataFrame, list[Rule], Registry]:
    """Validate a dataset; raise :class:`cuadra.errors.CuadraError` on bad input."""
    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    project = project or project_paths()
    say = progress or (lambda stage, done, total: None)
    say("cargando", 0, 3)
    registry, rules = load_project(project)
    dataset = load_facts(path, registry, extra=project.reference, progress=lambda d, n: say("leyendo", d, n))
    rules = [*rules, *expand_project_templates(project, registry, dataset.facts, rules)]
    facts, rules, idle = _without_unused_reference(dataset.facts, path, project.reference, rules)
    files = dataset.files
    del dataset  # the frame as read, when reference rows were dropped from it, is not kept beside ``facts``
    waivers = _load_waivers(project.waivers)
    own_waivers = [w for p in project.extra_waivers for w in _load_waivers(p)]
    say("cargando", 3, 3)
    all_rules: dict[str, Rule | BuiltinRule] = {**BUILTINS, **{r.id: r for r in rules}}
    findings: FindingSet
    sql_pass = gx_job = None
    if backend == "gx":
        from expectations.suite import start_sql

        # The GX backend's SQL pass runs in a thread (SQLite releases the GIL; issue 17).
        sql_pass = start_sql(facts, rules)
    elif backend == "both":
        from expectations.job import start_gx

        # GX runs beside Pandera: a forked process when safe, else its SQL pass in a thread (issue 17).
        gx_job = start_gx(facts, rules, sorted(registry.units), docs_dir=docs_dir)
    if backend in ("pandera", "both"):
        from checks.schema import run_pandera

        # Pandera's own failure cases (a frame per failing rule, second in the pair) are not kept.
        results = run_pandera(facts, rules, progress=lambda d, n: say("pandera", d, n))[0]
        findings = findings_from_results(results, facts)
        evaluated = {r.rule.id for r in results}
        del results  # the findings hold the columns they need
        missing = [rid for rid in all_rules if rid not in evaluated]
        for rid in missing:
            findings.append(_finding(all_rules[rid], "*", "", "error", (None, None), (None, None), None,
                                     None, "Pandera no pudo evaluar la regla", ()))
    else:
        findings = FindingSet(_sql_findings(facts, rules, FactIndex(facts), sql_pass))
    gx_docs = None
    outcome = None
    if backend in ("gx", "both"):
        from expectations.suite import run_gx

        say("gx", 0, 1)
        outcome = gx_job.result() if gx_job is not None else run_gx(
            facts, rules, sorted(registry.units), docs_dir=docs_dir, sql=sql_pass)
        say("gx", 1, 1)
        gx_docs = str(outcome.docs_index) if outcome.docs_index else None
        if backend == "both":
            findings += _disagreements(findings, outcome.statuses, outcome.errors, all_rules)
        for c in outcome.contract_failures:
            findings.append(Finding(rule="contrato.gx", kind="contrato", key=c, period="", status="error",
                                    severity="error", titulo="Expectativa del contrato no cumplida en GX",
                                    expr=c, fuentes=(), lhs=(None, None), rhs=(None, None), imbalance=None,
                                    imbalance_rel=None, reason=c, facts=()))
    # Bundled waivers speak only where their instance was evaluated; the steward's own always do.
    today = datetime.fromisoformat(started).date()
    findings, expired = apply_waivers(findings, waivers, today, only_evaluated=True)
    findings, expired_own = apply_waivers(findings, own_waivers, today)
    expired += expired_own
    if outcome is not None and docs_dir is not None:
        from expectations.verdict import agree

        # GX's pages are rendered once cuadra's verdict (waivers applied) is known, and agree with it.
        docs = outcome.write_docs(lambda vr: agree(vr, findings))
        gx_docs = str(docs) if docs else None
    run = Run(findings=findings, dataset=str(path), version=__version__, started=started,
              seconds=time.perf_counter() - t0, catalogue_hash=catalogue_hash((*project.rules, *project.templates)),
              dataset_hash=_dataset_hash(files),
              backends=("pandera", "gx") if backend == "both" else (backend,),
              n_rules=len(all_rules), n_facts=len(facts), expired_waivers=expired, gx_docs=gx_docs,
              n_no_aplica=len(idle))
    return run, facts, rules, registry
