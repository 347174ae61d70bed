"""Next edition (issue 13): the bundle with every period moved a year later keeps its checks.

Reports and reference tables alike move by one year; the catalogue and the templates expand over
the moved facts. Every instance decided today must be decided alike a year later, apart from the
rules that keep a fixed period because the report states a relation about that date (and waivers,
keyed to periods and values: a waived instance counts as the failure it is).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import load_registry
from cuadra.engine import expand_project_templates, project_paths
from cuadra.findings import Finding
from cuadra.gate.sides import evaluate_frame
from cuadra.rules.catalogue import load_catalogue
from cuadra.testing.edition import retention, shift_csv_periods
from cuadra.waivers import load_waivers

ROOT = Path(__file__).resolve().parent.parent


def _run(reports: Path, reference: tuple[Path, ...]) -> tuple[list[Finding], list]:  # type: ignore[type-arg]
    p = project_paths()
    reg = load_registry(p.registry)
    catalogue = load_catalogue(p.rules, reg.concepts)
    facts = load_facts(reports, reg, extra=reference).facts
    rules = catalogue + expand_project_templates(p, reg, facts, catalogue)
    return evaluate_frame(facts, rules, load_waivers(p.waivers))[0], rules


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Finding], list[Finding], list]:  # type: ignore[type-arg]
    moved = tmp_path_factory.mktemp("siguiente")
    shift_csv_periods(ROOT / "fixtures" / "reports", moved / "reports", 1)
    reference = tuple(shift_csv_periods(ROOT / "fixtures" / "reference", moved / "reference", 1))
    base, rules = _run(ROOT / "fixtures" / "reports", project_paths().reference)
    nxt, _ = _run(moved / "reports", reference)
    return base, nxt, rules


def test_issue_13_every_relative_rule_carries_to_the_next_edition(editions) -> None:  # type: ignore[no-untyped-def]
    base, nxt, rules = editions
    pinned = {r.id for r in rules if r.periodos is not None or any(x.fixed is not None for x in r.refs)}
    kept, total, lost = retention(base, nxt, 1)
    assert total > 2500
    carried_wrong = [k for k in lost if k[0] not in pinned]
    assert carried_wrong == []
    # What remains pinned is the exception (relations about a stated date), not the rule.
    assert kept / total > 0.95


def test_issue_13_pinned_rules_are_the_few_about_a_date(editions) -> None:  # type: ignore[no-untyped-def]
    _, _, rules = editions
    pinned = [r for r in rules if r.periodos is not None or any(x.fixed is not None for x in r.refs)]
    assert len(pinned) < 0.15 * len(rules)
