"""cuadra/rules/units.py: a rule that adds pesos to personas is a modelling error, named."""

from __future__ import annotations

from cuadra.contract.registry import load_registry
from cuadra.engine import project_paths
from cuadra.rules.catalogue import load_catalogue
from cuadra.rules.syntax import parse_expr
from cuadra.rules.units import unit_mismatches

UNITS = {"a.pesos": "MXN", "a.otro": "MXN", "b.personas": "personas", "c.pct": "porcentaje"}


def test_mixes_are_named() -> None:
    assert unit_mismatches(parse_expr("a.pesos == a.otro + b.personas"), UNITS) == ["MXN con conteo"]
    assert unit_mismatches(parse_expr("sum(a.pesos, b.personas) >= 0"), UNITS) == ["MXN con conteo"]


def test_products_and_quotients_are_derived() -> None:
    assert unit_mismatches(parse_expr("c.pct == a.pesos / a.otro * 100"), UNITS) == []
    assert unit_mismatches(parse_expr("a.pesos * 1000 == a.otro"), UNITS) == []
    assert unit_mismatches(parse_expr("a.pesos / 1000 == b.personas"), UNITS) == ["MXN con conteo"]


def test_bundled_catalogue_mixes_units_only_where_it_says_why() -> None:
    p = project_paths()
    reg = load_registry(p.registry)
    units = {c: reg.concepts[c].unit for c in reg.concepts}
    bad = [f"{r.origin} {r.id}: {unit_mismatches(r.tree, units)}" for r in load_catalogue(p.rules, reg.concepts)
           if unit_mismatches(r.tree, units) and not r.meta.get("unidades_mixtas")]
    assert not bad, "\n".join(bad)
