"""GX backend: the facts in SQLite, a suite built from the catalogue, a checkpoint and Data Docs.

One job: adapt the catalogue to Great Expectations. The contract becomes native column
expectations; every rule becomes one ``UnexpectedRowsExpectation`` whose query is compiled from the
rule's tree by ``cuadra.rules.to_sql`` (the numpy evaluator is never consulted here), with a
Spanish description that says the rule, its formula and the report lines it comes from.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cuadra.contract.facts import ROUNDINGS
from cuadra.escape import html_text, one_line
from cuadra.rules.catalogue import BUILTINS, BuiltinRule, Rule
from cuadra.rules.to_sql import duplicate_sql, published_sql, range_sql, rule_sql, unexpected

__all__ = ["GxOutcome", "run_gx", "describe"]

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


def describe(rule: Rule | BuiltinRule) -> str:
    """The expectation's description: the rule in Spanish, its formula, where the reports say it."""
    fuentes = ", ".join(rule.fuentes) if rule.fuentes else "regla integrada de cuadra"
    text = f"{rule.titulo}. Fórmula: {rule.expr}. Fuente: {fuentes}. [{rule.id}]"
    # GX renders a description as a raw HTML template ($name substituted, newlines made <br>): the
    # catalogue is data a pull request can edit, so it is escaped here, "$" included.
    return html_text(one_line(text)).replace("$", "&#36;")


def _write_sqlite(facts: pd.DataFrame, db: Path) -> None:
    with sqlite3.connect(db) as con:
        facts[SQL_COLUMNS].to_sql("facts", con, index=False, if_exists="replace")


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
           docs_dir: Path | None = None, workdir: Path | None = None) -> GxOutcome:
    """Validate with GX over SQLite; build Data Docs into ``docs_dir`` when given."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    tmp = tempfile.TemporaryDirectory(prefix="cuadra-gx-") if workdir is None else None
    root = Path(tmp.name if tmp else workdir)  # type: ignore[arg-type]
    root.mkdir(parents=True, exist_ok=True)
    db = root / "facts.sqlite"
    _write_sqlite(facts, db)
    try:
        if docs_dir is not None:
            ctx = gx.get_context(mode="file", project_root_dir=str(root))
            ctx.add_data_docs_site(site_name="cuadra", site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(Path(docs_dir).resolve() / "gx")},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
        else:
            ctx = gx.get_context(mode="ephemeral")
        ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
        ds = ctx.data_sources.add_sqlite("cuadra_sqlite", connection_string=f"sqlite:///{db.resolve()}")
        bd = ds.add_table_asset("hechos", table_name="facts").add_batch_definition_whole_table("todo")
        items: list[tuple[Rule | BuiltinRule, str]] = [
            (BUILTINS["duplicado"], duplicate_sql()), (BUILTINS["publicado"], published_sql()),
            (BUILTINS["rango"], range_sql()), *((r, rule_sql(r)) for r in rules)]
        # All expectations at construction: ``add_expectation`` compares each new expectation with
        # every one already there (pydantic dicts), O(n²): 24 s of a 45 s run at ~690 rules. Each
        # rule's description carries its id, so none is a duplicate; the count check below holds.
        suite = gx.ExpectationSuite(name="cuadra", expectations=[
            *_contract_expectations(gxe, units),  # type: ignore[list-item]
            *(gxe.UnexpectedRowsExpectation(unexpected_rows_query=unexpected(sql), description=describe(rule),
                                            meta={"rule_id": rule.id, "kind": rule.kind}) for rule, sql in items)])
        suite = ctx.suites.add(suite)
        if len(suite.expectations) != len(items) + len(_contract_expectations(gxe, units)):
            raise RuntimeError("GX dropped expectations from the suite (TOOLING.md pitfall 1)")
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name="cuadra", data=bd, suite=suite))
        actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["cuadra"])] if docs_dir else []
        cp = ctx.checkpoints.add(gx.Checkpoint(name="cuadra", validation_definitions=[vd], actions=actions,
                                               result_format={"result_format": "COMPLETE"}))
        res = cp.run()
        out = GxOutcome(success=bool(res.success))
        for vr in res.run_results.values():
            for r in vr.results:
                cfg = r.expectation_config
                rule_id = (cfg.meta or {}).get("rule_id")
                exc = r.exception_info or {}
                raised = exc.get("raised_exception") or any(
                    isinstance(v, dict) and v.get("raised_exception") for v in exc.values())
                if rule_id is None:
                    if not r.success:
                        out.contract_failures.append(f"{cfg.type}: {cfg.kwargs.get('column')}")
                    continue
                if raised:
                    out.errors[rule_id] = str(exc)[:500]
                    continue
                rows = (r.result.get("details") or {}).get("unexpected_rows") or []
                out.statuses[rule_id] = {str(row["key"]): str(row["status"]) for row in rows}
        if docs_dir is not None:
            ctx.build_data_docs(site_names=["cuadra"])
            out.docs_index = Path(docs_dir) / "gx" / "index.html"
        return out
    finally:
        if tmp is not None:
            tmp.cleanup()
