"""GX backend: the facts in SQLite, a suite built from the catalogue, a checkpoint and Data Docs.

One job: adapt the catalogue to Great Expectations. The contract becomes native column
expectations; every rule family (a catalogue file, a template, a built-in) becomes one
``UnexpectedRowsExpectation`` reading the instances that the rule trees compiled by
``cuadra.rules.to_sql`` decided (the numpy evaluator is never consulted here), with a Spanish
description that says, rule by rule, the rule, its formula and the report lines it comes from.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from cuadra.contract.facts import ROUNDINGS
from cuadra.escape import html_text, one_line
from cuadra.rules.catalogue import BUILTINS, BuiltinRule, Rule
from cuadra.rules.to_sql import duplicate_sql, groups_sql, published_sql, range_sql, rule_sql, unexpected

__all__ = ["GxOutcome", "SqlPass", "start_sql", "run_gx", "describe", "write_results", "family", "families",
           "family_query", "family_rows", "RESULTS", "FAMILIES", "RULE_LINE"]

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

SQL_COLUMNS = ["fact_id", "concept", "period", "value", "unit", "scale", "decimals", "rounding", "status",
               "source", "locator", "published", "lectura", "pub_value", "pub_scale", "pub_decimals",
               "pub_error", "rango_min", "rango_max"]


@dataclass
class GxOutcome:
    """Per rule: the non-passing instances GX reported, by key → status; plus run metadata."""

    statuses: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    contract_failures: list[str] = field(default_factory=list)
    success: bool = True
    docs_index: Path | None = None
    #: Kept until :meth:`write_docs` (with ``docs_dir``): the file context, its folder, the results.
    _pending: tuple[Any, Any, dict[Any, Any], Path] | None = None

    def write_docs(self, adjust: Callable[[Any], None]) -> Path | None:
        """Build the GX Data Docs once cuadra's verdict is known (waivers applied).

        ``adjust`` receives each ``ExpectationSuiteValidationResult`` before it is stored and rendered
        (``expectations.verdict.agree``: indeterminate and waived instances are not failures there).
        """
        if self._pending is None:
            return self.docs_index
        ctx, tmp, results, docs_dir = self._pending
        try:
            for key, vr in results.items():
                adjust(vr)
                ctx.validation_results_store.set(key, vr)
            ctx.build_data_docs(site_names=["cuadra"])
            self.docs_index = Path(docs_dir) / "gx" / "index.html"
        finally:
            self._pending = None
            if tmp is not None:
                tmp.cleanup()
        return self.docs_index


def describe(rule: Rule | BuiltinRule) -> str:
    """The expectation's description: the rule in Spanish, its formula, where the reports say it."""
    fuentes = ", ".join(rule.fuentes) if rule.fuentes else "regla integrada de cuadra"
    return _gx_text(f"{rule.titulo}. Fórmula: {rule.expr}. Fuente: {fuentes}. [{rule.id}]")


def _gx_text(text: str) -> str:
    """GX renders a description as a raw HTML template ($name substituted, newlines made <br>): the
    catalogue is data a pull request can edit (rule texts, file and template names), so it is escaped
    here, "$" included."""
    return html_text(one_line(text)).replace("$", "&#36;")


def _write_sqlite(facts: pd.DataFrame, db: Path) -> None:
    with sqlite3.connect(db) as con:
        facts.to_sql("facts", con, index=False, if_exists="replace")


class SqlPass:
    """The GX backend's SQLite side, started before GX is even imported: the facts written to a file
    and every instance decided by the compiled SQL (:func:`write_results`).

    Why a thread: ``sqlite3`` releases the GIL while a statement runs, and this pass is half of the GX
    run on the bundle, so started beside the Pandera backend it runs on the second core (issue 17).
    Nothing here touches the numpy evaluator or its results: the verdicts stay the SQL compiler's.
    """

    def __init__(self, facts: pd.DataFrame, rules: Sequence[Rule], workdir: Path | None = None, *,
                 background: bool = True) -> None:
        self.tmp = tempfile.TemporaryDirectory(prefix="cuadra-gx-") if workdir is None else None
        self.root = Path(self.tmp.name if self.tmp else workdir)  # type: ignore[arg-type]
        self.root.mkdir(parents=True, exist_ok=True)
        self.db = self.root / "facts.sqlite"
        self._outcome: list[dict[str, str] | BaseException] = []
        frame = facts[SQL_COLUMNS].copy()  # the thread's own copy: the caller's frame goes on to Pandera
        rules = list(rules)
        self._thread = threading.Thread(target=self._run, args=(frame, rules), name="cuadra-sql", daemon=True)
        if background:
            self._thread.start()
        else:
            self._run(frame, rules)

    def _run(self, frame: pd.DataFrame, rules: list[Rule]) -> None:
        try:
            _write_sqlite(frame, self.db)
            with sqlite3.connect(self.db) as con:
                self._outcome.append(write_results(con, rules))
        except BaseException as exc:  # re-raised in the caller's thread by errors()
            self._outcome.append(exc)

    def errors(self) -> dict[str, str]:
        """Wait for the pass; the rules whose SQL failed (rule id → message)."""
        if self._thread.ident is not None:
            self._thread.join()
        result = self._outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def cleanup(self) -> None:
        if self._thread.ident is not None:
            self._thread.join()
        if self.tmp is not None:
            self.tmp.cleanup()
            self.tmp = None


def start_sql(facts: pd.DataFrame, rules: Sequence[Rule], workdir: Path | None = None) -> SqlPass:
    """Start the SQL pass of :func:`run_gx` in a thread (pass the result to ``run_gx(sql=...)``)."""
    return SqlPass(facts, rules, workdir)


#: Tables the set-based pass writes beside the facts: every fact group once, every instance once.
GROUPS = "cuadra_grupos"
RESULTS = "cuadra_resultados"


def write_results(con: sqlite3.Connection, rules: Sequence[Rule], table: str = "facts") -> dict[str, str]:
    """Decide every instance of every rule with the SQL compiler, once, into a results table.

    Why: GX ran each rule's compiled query twice (row count, then rows), and each query grouped the
    facts again: 1,432 queries, most of the GX backend's time. Here the facts are grouped once
    (``cuadra_grupos``, indexed), each rule's compiled query runs once, as an ``INSERT … SELECT`` that
    decides all its instances in one pass, and every instance lands in ``cuadra_resultados``
    (``regla, key, status, lhs_lo, lhs_hi, rhs_lo, rhs_hi``). Measured on the bundle: one statement
    per rule beats ``UNION ALL`` batches of 10 or 100 rules (SQLite plans each arm worse inside a
    compound statement). The verdicts are still the SQL compiler's, from the rule tree; the numpy
    evaluator is never consulted. Returns the rules whose SQL failed (rule id → message); their
    instances are absent.
    """
    con.execute(f"DROP TABLE IF EXISTS {GROUPS}")
    con.execute(f"DROP TABLE IF EXISTS {RESULTS}")
    con.execute(f"CREATE TABLE {GROUPS} AS {groups_sql().replace('{batch}', table)}")
    con.execute(f"CREATE INDEX {GROUPS}_key ON {GROUPS} (concept, period, scope)")
    con.execute(f"CREATE TABLE {RESULTS} (regla TEXT, key TEXT, status TEXT, lhs_lo REAL, lhs_hi REAL, "
                "rhs_lo REAL, rhs_hi REAL)")
    items: list[tuple[str, str]] = [
        ("duplicado", duplicate_sql()), ("publicado", published_sql()), ("rango", range_sql()),
        *((r.id, rule_sql(r, groups=GROUPS)) for r in rules)]
    errors: dict[str, str] = {}
    for rid, sql in items:
        try:
            query = sql.replace("{batch}", table)
            con.execute(f"INSERT INTO {RESULTS} SELECT {_quote(rid)} AS regla, * FROM ({query})")
        except sqlite3.Error as exc:
            errors[rid] = f"{type(exc).__name__}: {exc}"
    con.execute(f"CREATE INDEX {RESULTS}_regla ON {RESULTS} (regla, status)")
    con.commit()
    return errors


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: The rules of each expectation (``familia, regla``), written beside the results.
FAMILIES = "cuadra_familias"
#: At most this many rules per expectation: GX fetches an ``UnexpectedRowsExpectation``'s first
#: 200 rows only (``great_expectations.constants.MAX_RESULT_RECORDS``), and a family's query returns
#: one row per rule, so a family of more rules is split into parts and no row is ever cut off.
FAMILY_MAX = 200
#: One rule's line in a family's description (``expectations.verdict`` adds its counts, the Data
#: Docs an anchor before its ``[id]``).
RULE_LINE = re.compile(r"<span class='cuadra-regla'>(?P<text>.*?)\[(?P<id>[A-Za-z0-9_.\-]+)\]</span>")


def family(rule: Rule | BuiltinRule) -> str:
    """The family a rule is validated in: its template, else its catalogue file; a built-in is its own."""
    if isinstance(rule, BuiltinRule):
        return rule.id
    template = rule.meta.get("plantilla")
    return f"plantilla {template}" if template else rule.origin.rsplit(":", 1)[0]


def families(rules: Sequence[Rule | BuiltinRule], most: int = FAMILY_MAX) -> dict[str, list[Rule | BuiltinRule]]:
    """The rules by family (in first-seen order), a family of more than ``most`` rules split into parts."""
    grouped: dict[str, list[Rule | BuiltinRule]] = {}
    for r in rules:
        grouped.setdefault(family(r), []).append(r)
    out: dict[str, list[Rule | BuiltinRule]] = {}
    for name, members in grouped.items():
        parts = [members[i:i + most] for i in range(0, len(members), most)]
        for i, part in enumerate(parts, 1):
            out[name if len(parts) == 1 else f"{name} (parte {i} de {len(parts)})"] = part
    return out


def write_families(con: sqlite3.Connection, groups: dict[str, list[Rule | BuiltinRule]]) -> None:
    """The ``familia, regla`` table each family's query joins with the results."""
    con.execute(f"DROP TABLE IF EXISTS {FAMILIES}")
    con.execute(f"CREATE TABLE {FAMILIES} (familia TEXT, regla TEXT)")
    con.executemany(f"INSERT INTO {FAMILIES} VALUES (?, ?)",
                    [(name, r.id) for name, members in groups.items() for r in members])
    con.execute(f"CREATE INDEX {FAMILIES}_familia ON {FAMILIES} (familia)")
    con.commit()


def family_query(name: str) -> str:
    """The expectation's query: one row per rule of the family with findings, its instances as JSON.

    Each row is ``regla, no_pasan, instancias``: the instances that are neither ``pass`` nor a
    documented reading, each with its key, status and both sides' bounds, read from the results
    table (issue 17: one set-based pass per family instead of two queries per rule). One row per rule,
    not per instance, so GX's 200-row cap never hides an instance (see :data:`FAMILY_MAX`). ``{batch}``
    ties the query to the validated batch (GX reads data outside it otherwise, and says so); the
    results were computed from that very table by :func:`write_results`.
    """
    instance = ("json_object('key', r.key, 'status', r.status, 'lhs_lo', r.lhs_lo, 'lhs_hi', r.lhs_hi, "
                "'rhs_lo', r.rhs_lo, 'rhs_hi', r.rhs_hi)")
    return (f"SELECT r.regla AS regla, COUNT(*) AS no_pasan, json_group_array({instance}) AS instancias "
            f"FROM {RESULTS} AS r JOIN {FAMILIES} AS f ON f.regla = r.regla WHERE f.familia = {_quote(name)} "
            "AND r.status NOT IN ('pass', 'waived') AND EXISTS (SELECT 1 FROM {batch}) "
            "GROUP BY r.regla ORDER BY MIN(r.rowid)")


def family_rows(rows: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A family expectation's unexpected rows, per rule: its instances (key, status, bounds)."""
    return {str(row["regla"]): list(json.loads(row["instancias"])) if isinstance(row["instancias"], str)
            else list(row["instancias"]) for row in rows}


def _family_description(name: str, members: Sequence[Rule | BuiltinRule], per_rule: bool = True) -> str:
    """A lone rule's description is its own; a family's says its name, then one line per rule.

    ``per_rule=False`` (no Data Docs: nothing renders it) keeps the first line only: GX copies every
    expectation's configuration a few dozen times while validating, and the bundle's family lines
    are 0.3 MB.
    """
    if len(members) == 1:
        return describe(members[0])
    head = _gx_text(f"Familia {name}: {len(members)} reglas; la expectativa falla si alguna instancia de "
                    "alguna de ellas no cumple.")
    if not per_rule:
        return head
    return "<br>".join([head, *(f"<span class='cuadra-regla'>{describe(r)}</span>" for r in members)])


def _contract_expectations(gxe: object, units: Sequence[str]) -> list[object]:
    e = gxe
    return [
        e.ExpectColumnValuesToNotBeNull(column="concept", description="Todo hecho tiene concepto."),  # type: ignore[attr-defined]
        e.ExpectColumnValuesToMatchRegex(column="period", regex=r"^\d{4}(-\d{2}(-\d{2})?)?$",  # type: ignore[attr-defined]
                                         description="El periodo es AAAA, AAAA-MM o AAAA-MM-DD."),
        e.ExpectColumnValuesToBeInSet(column="rounding", value_set=list(ROUNDINGS),  # type: ignore[attr-defined]
                                      description="El redondeo es al más cercano, truncado o exacto."),
        e.ExpectColumnValuesToBeInSet(column="status", value_set=["final", "preliminar", "NA", "ND"],  # type: ignore[attr-defined]
                                      description="El estado es final, preliminar, NA o ND."),
        e.ExpectColumnValuesToBeInSet(column="scale", value_set=[0, 3, 6, 9, 12],  # type: ignore[attr-defined]
                                      description="La escala es una potencia de mil."),
        e.ExpectColumnValuesToBeInSet(column="unit", value_set=list(units),  # type: ignore[attr-defined]
                                      description="La unidad está registrada."),
        e.ExpectColumnValuesToNotBeNull(column="source", description="Todo hecho cita su documento."),  # type: ignore[attr-defined]
        e.ExpectColumnValuesToNotBeNull(column="locator", description="Todo hecho cita su línea."),  # type: ignore[attr-defined]
        e.ExpectColumnValuesToBeUnique(column="fact_id", description="Cada hecho tiene identidad única."),  # type: ignore[attr-defined]
    ]


def run_gx(facts: pd.DataFrame, rules: Sequence[Rule], units: Sequence[str], *,
           docs_dir: Path | None = None, workdir: Path | None = None, sql: SqlPass | None = None) -> GxOutcome:
    """Validate with GX over SQLite; build Data Docs into ``docs_dir`` when given.

    ``sql``: the SQL pass already started by :func:`start_sql` on these facts and rules (else it runs
    here, first).
    """
    sql = sql if sql is not None else SqlPass(facts, rules, workdir, background=False)
    try:
        import great_expectations as gx
        import great_expectations.expectations as gxe

        from expectations.context import gx_context

        root, db = sql.root, sql.db
        sql_errors = sql.errors()
        ctx = gx_context(root, docs_dir, "cuadra")
        ds = ctx.data_sources.add_sqlite("cuadra_sqlite", connection_string=f"sqlite:///{db.resolve()}")
        bd = ds.add_table_asset("hechos", table_name="facts").add_batch_definition_whole_table("todo")
        everything: list[Rule | BuiltinRule] = [BUILTINS["duplicado"], BUILTINS["publicado"], BUILTINS["rango"],
                                                *rules]
        # A rule whose SQL failed keeps an expectation of its own with its own query, so that GX reports
        # the error itself; every other rule is read from the results table with its family.
        own = {r.id: r for r in rules if r.id in sql_errors}
        groups = families([r for r in everything if r.id not in own])
        with sqlite3.connect(db) as con:
            write_families(con, groups)
        expectations = [
            *(gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=family_query(name),
                description=_family_description(name, members, per_rule=docs_dir is not None),
                meta={"familia": name, "reglas": [r.id for r in members]})
              for name, members in groups.items()),
            *(gxe.UnexpectedRowsExpectation(
                unexpected_rows_query=unexpected(rule_sql(r)), description=describe(r),
                meta={"familia": family(r), "reglas": [r.id], "propia": True})
              for r in own.values())]
        # All expectations at construction: ``add_expectation`` compares each new expectation with
        # every one already there (pydantic dicts), O(n²). Each description names its rules, so none
        # is a duplicate; the count check below holds.
        contract = _contract_expectations(gxe, units)
        suite = gx.ExpectationSuite(name="cuadra", expectations=[*contract, *expectations])  # type: ignore[list-item]
        if len(suite.expectations) != len(contract) + len(expectations):
            raise RuntimeError("GX dropped expectations from the suite (TOOLING.md pitfall 1)")
        if docs_dir is not None:
            # The Data Docs are built from stored results: a checkpoint with its stores, and no docs action:
            # GxOutcome.write_docs builds the pages once cuadra's waivers are applied (issue 16).
            suite = ctx.suites.add(suite)
            vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="cuadra", data=bd, suite=suite))
            cp = ctx.checkpoints.add(gx.Checkpoint(
                name="cuadra", validation_definitions=[vd], result_format={"result_format": "COMPLETE"},
                actions=[]))
            res = cp.run()
            success, runs = bool(res.success), list(res.run_results.values())
        else:
            # Without Data Docs nothing needs storing: the batch validates the suite directly, skipping
            # the checkpoint's freshness checks and result stores (a third of the GX run, issue 17).
            vr = bd.get_batch().validate(suite, result_format={"result_format": "COMPLETE"})
            success, runs = bool(vr.success), [vr]
        out = GxOutcome(success=success)
        for vr in runs:
            for r in vr.results:
                cfg = r.expectation_config
                members = (cfg.meta or {}).get("reglas")
                exc = r.exception_info or {}
                raised = exc.get("raised_exception") or any(
                    isinstance(v, dict) and v.get("raised_exception") for v in exc.values())
                if members is None:
                    if not r.success:
                        out.contract_failures.append(f"{cfg.type}: {cfg.kwargs.get('column')}")
                    continue
                if raised:
                    out.errors.update({rid: str(exc)[:500] for rid in members})
                    continue
                rows = (r.result.get("details") or {}).get("unexpected_rows") or []
                if (cfg.meta or {}).get("propia"):  # a rule with its own query: one row per instance
                    found = {members[0]: [dict(row) for row in rows]}
                else:
                    found = family_rows(rows)
                for rid in members:
                    out.statuses[rid] = {str(i["key"]): str(i["status"]) for i in found.get(rid, [])}
        if docs_dir is not None:
            out._pending = (ctx, sql.tmp, dict(res.run_results), Path(docs_dir))
            sql.tmp = None  # cleaned by write_docs
        return out
    finally:
        sql.cleanup()
