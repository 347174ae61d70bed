"""Issue 3: every numeric figure of the five reports is a fact or an explained exclusion.

Per document, a regex takes every number printed in the source text; years standing alone are
excluded wholesale, every other exclusion is listed by line with its reason in
fixtures/exclusions/<document>.yaml; each fact's `published` text accounts for the numbers it
prints at its locator. The test fails when a number is neither a fact nor excluded, when an
exclusion points at nothing, or when a fact's printed figure is not where it says.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import load_registry
from cuadra.engine import project_paths
from cuadra.transcription.coverage import coverage, tokens
from cuadra.transcription.sources import SourceText

ROOT = Path(__file__).resolve().parent.parent
DOCS = yaml.safe_load((ROOT / "fixtures" / "documents.yaml").read_text(encoding="utf-8"))["documents"]


@pytest.fixture(scope="module")
def facts():  # type: ignore[no-untyped-def]
    return load_facts(ROOT / "fixtures" / "reports", load_registry(project_paths().registry)).facts


@pytest.mark.parametrize("doc", [d["id"] for d in DOCS])
def test_every_figure_is_a_fact_or_excluded(doc: str, facts) -> None:  # type: ignore[no-untyped-def]
    src = SourceText(ROOT / "fixtures" / "sources" / doc)
    mine = facts[facts["source"] == doc]
    excl_file = ROOT / "fixtures" / "exclusions" / doc.replace(".txt", ".yaml")
    exclusions = yaml.safe_load(excl_file.read_text(encoding="utf-8")) or []
    assert all(e.get("why") for e in exclusions), "every exclusion says why"
    cov = coverage(src, zip(mine["locator"], mine["published"], strict=True), exclusions, source=doc)
    print(f"{doc}: {cov.tokens_total} numbers in the text = {cov.years} years + {cov.by_facts} in facts "
          f"+ {cov.by_exclusions} excluded + {cov.uncovered_count} uncovered; {len(mine)} facts")
    assert cov.uncovered == {}, f"numbers neither transcribed nor excluded: {dict(list(cov.uncovered.items())[:20])}"
    assert cov.facts_not_found == [], cov.facts_not_found[:20]
    assert cov.exclusions_not_found == [], cov.exclusions_not_found[:20]
    assert cov.tokens_total == cov.years + cov.by_facts + cov.by_exclusions


def test_documents_registry_matches_the_sources() -> None:
    ids = {d["id"] for d in DOCS}
    assert ids == {p.name for p in (ROOT / "fixtures" / "sources").glob("*.txt")}
    for d in DOCS:
        assert (ROOT / d["source_file"]).exists() and d["title"] and d["publisher"] and d["period_covered"]


def test_token_regex() -> None:
    assert tokens("$363,500,796.5 miles, 2.6% y (846); COVID-19; 3.40.1") == [
        "363,500,796.5", "2.6", "846", "19", "3.40.1"]


def test_a_missing_fact_is_caught(tmp_path: Path) -> None:
    """The completeness check can fail: a number nobody transcribed is reported by line."""
    src = tmp_path / "s.txt"
    src.write_text("En 2020 hubo 8,942 trabajadores y 12 casos.\n", encoding="utf-8")
    cov = coverage(SourceText(src), [("1", "8,942")], [])
    assert cov.uncovered == {1: ["12"]}
