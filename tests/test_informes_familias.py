"""The relation families of the five reports carried by the vocabulary (issue 13, item 5).

The PIIMSS indicator sheets declare their direction once, on the concept
(fixtures/concepts/piimss_fichas.yaml, informes_metas.yaml); the templates indicador.* (target vs
baseline) and meta.* (target vs the latest result) then check every sheet whatever its years, with
no rule per sheet. In the
bundle the per-sheet catalogue rules still relate the same figures, so the templates defer to
them; without the catalogue (a next edition, a steward's own sheets) the templates alone find the
same two contradictions: sheet 4.3 (descendente, meta above the baseline) and 6.3 (ascendente,
meta below it).
"""

from __future__ import annotations

from pathlib import Path

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import default_registry_paths, load_registry
from cuadra.engine import project_paths
from cuadra.rules.catalogue import load_catalogue
from cuadra.rules.evaluate import FactIndex, evaluate_rule
from cuadra.rules.evaluate import shift_period as shift
from cuadra.rules.templates import expand_templates, load_templates
from cuadra.vocabulary import build_vocabulary

ROOT = Path(__file__).resolve().parents[1]
PROJECT = project_paths(ROOT)
REGISTRY = load_registry(default_registry_paths(ROOT / "fixtures"))
VOCAB = build_vocabulary(REGISTRY)
FACTS = load_facts(ROOT / "fixtures" / "reports", REGISTRY).facts
PRESENT = list(FACTS[["concept", "period", "source", "locator"]].drop_duplicates().astype(str)
               .itertuples(index=False, name=None))
TEMPLATES = load_templates(PROJECT.templates)


def _indicator_rules(present: list[tuple[str, str, str, str]], catalogue: list = (),  # type: ignore[type-arg]
                     family: str = "indicador.") -> list:  # type: ignore[type-arg]
    out = expand_templates(TEMPLATES, VOCAB, present, catalogue)
    return [r for r in out.rules if r.meta["plantilla"].startswith(family)]


def _statuses(rules: list) -> dict[str, set[str]]:  # type: ignore[type-arg]
    index = FactIndex(FACTS)
    out: dict[str, set[str]] = {}
    for r in rules:
        result = evaluate_rule(r, index)
        assert len(result.periods) == 1
        for s in result.status:
            out.setdefault(str(s), set()).add(r.meta["vinculos"]["indicador"])
    return out


def test_every_sheet_with_a_stated_direction_declares_it() -> None:
    directions = {i.concept: i.direction for i in VOCAB.indicators if i.concept.startswith("piimss.")}
    assert len(directions) == 17  # 18 sheets; 1.3 says "Constante"
    assert "piimss.obj1.ind_1_3.valor" not in directions
    assert [c for c, d in directions.items() if d == "descendente"] == [
        "piimss.obj2.ind_2_1.valor", "piimss.obj4.ind_4_3.valor", "piimss.obj5.ind_5_2.valor"]
    assert all(i.fuentes and i.fuentes[0].startswith(("001_ecf9940b1a895e3b.txt:", "002_e303bfb61f39cb21.txt:"))
               for i in VOCAB.indicators)


def test_the_templates_alone_find_the_contradicted_directions() -> None:
    rules = _indicator_rules(PRESENT)
    assert len(rules) == 16  # every sheet with a baseline and a target (2.2 has no baseline)
    assert _statuses(rules)["fail"] == {"piimss.obj4.ind_4_3.valor", "piimss.obj6.ind_6_3.valor"}


def test_targets_against_the_latest_result_by_the_sheets_verb() -> None:
    rules = _indicator_rules(PRESENT, family="meta.")
    assert len(rules) == 18  # 17 sheets with a direction, and 002's PREVENIMSS target (guarderías: a month)
    (prevenimss,) = [r for r in rules if r.meta["vinculos"]["indicador"] == "prevenimss.cobertura_atencion_integral"]
    assert prevenimss.expr == ("prevenimss.cobertura_atencion_integral.meta >= "
                               "prevenimss.cobertura_atencion_integral[t-1]")
    statuses = _statuses(rules)
    assert statuses["fail"] == {"piimss.obj4.ind_4_3.valor"}  # "Descendente", target 105 above 17.1 in 2020


def test_the_binding_follows_the_years_of_the_next_edition() -> None:
    moved = [(c, shift(p, 1), s, loc) for c, p, s, loc in PRESENT]
    now = {r.id: r.expr for r in _indicator_rules(PRESENT, family="meta.")}
    assert {r.id: r.expr for r in _indicator_rules(moved, family="meta.")} == now
    assert now["plantilla.meta.ascendente.piimss.obj6.ind_6_3.valor"] == (
        "piimss.obj6.ind_6_3.meta >= piimss.obj6.ind_6_3.valor[t-4]")


def test_in_the_bundle_the_sheet_rules_already_relate_them() -> None:
    catalogue = load_catalogue(PROJECT.rules, REGISTRY.concepts)
    assert _indicator_rules(PRESENT, catalogue) == []
    assert _indicator_rules(PRESENT, catalogue, family="meta.") == []
