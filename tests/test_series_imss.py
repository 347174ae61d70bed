"""IMSS standard series (issue 13): a dataset from outside the bundle, checked without a rule.

``tests/fixtures/series_imss/puestos_afiliados.csv`` copies six monthly "puestos de trabajo
afiliados" releases (see its README for each release). No rule names its concepts: every
instance comes from the vocabulary's relations through the templates, names its template and
bindings, and the two backends agree on it.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import Counter
from pathlib import Path

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import load_registry
from cuadra.engine import expand_project_templates, findings_from_results, project_paths
from cuadra.rules.catalogue import load_catalogue
from cuadra.rules.evaluate import FactIndex, evaluate_rule
from cuadra.rules.to_sql import rule_sql
from expectations.suite import SQL_COLUMNS

DATA = Path(__file__).resolve().parent / "fixtures" / "series_imss"


@functools.cache
def _setup():  # type: ignore[no-untyped-def]
    p = project_paths()
    reg = load_registry(p.registry)
    catalogue = load_catalogue(p.rules, reg.concepts)
    facts = load_facts(DATA, reg).facts
    return facts, catalogue, expand_project_templates(p, reg, facts, catalogue)


def test_issue_13_release_dataset_is_checked_by_templates_alone() -> None:
    facts, catalogue, rules = _setup()
    index = FactIndex(facts)
    assert not [r.id for r in catalogue if len(evaluate_rule(r, index))]  # no catalogue rule has an instance
    findings = findings_from_results([evaluate_rule(r, index) for r in rules], facts)
    by_template = Counter(f.template for f in findings)
    assert by_template == {"participaciones": 6, "tasa_de_cambio": 7, "jerarquia": 1, "cambio.diferencia": 1,
                           "cambio.porcentaje": 1}
    assert {f.status for f in findings} == {"pass"}
    share = next(f for f in findings if f.template == "participaciones")
    assert dict(share.bindings)["total"] == "afiliacion.puestos_trabajo" and share.to_json()["template"]
    # The twelve-month change of January 2023 is recomputed from the stocks of two releases.
    yearly = next(f for f in findings if f.template == "cambio.diferencia")
    assert yearly.key == "2023-01" and {x.source for x in yearly.facts} == {"imss_puestos_2023_01",
                                                                          "imss_puestos_2022_01"}


def test_issue_13_release_dataset_numpy_and_sql_agree() -> None:
    facts, _, rules = _setup()
    con = sqlite3.connect(":memory:")
    facts[SQL_COLUMNS].to_sql("facts", con, index=False)
    index = FactIndex(facts)
    for rule in rules:
        res = evaluate_rule(rule, index)
        sql = {str(k): s for k, s, *_ in con.execute(rule_sql(rule).replace("{batch}", "facts"))}
        assert dict(zip(res.keys, map(str, res.status), strict=True)) == sql, rule.id


def test_issue_13_a_broken_release_figure_fails_its_instance(tmp_path: Path) -> None:
    """The permanent and eventual parts of a change must add up to the total the release states."""
    text = (DATA / "puestos_afiliados.csv").read_text(encoding="utf-8").replace(",-157428,", ",-157482,")
    (tmp_path / "r.csv").write_text(text, encoding="utf-8")
    p = project_paths()
    reg = load_registry(p.registry)
    facts = load_facts(tmp_path, reg).facts
    rules = expand_project_templates(p, reg, facts, load_catalogue(p.rules, reg.concepts))
    index = FactIndex(facts)
    statuses = {(r.id, k): s for r in rules for k, s in zip(evaluate_rule(r, index).keys,
                                                             evaluate_rule(r, index).status, strict=True)}
    assert [k for k, s in statuses.items() if s == "fail"] == [
        ("plantilla.jerarquia.afiliacion.puestos_trabajo.variacion_en_el_anio", "2021-08@imss_puestos_2021_08")]
