"""Provenance: every fact's quote stands verbatim at its locator, and its printed figure inside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import load_registry
from cuadra.engine import project_paths
from cuadra.transcription.sources import SourceText, fold
from expectations.docs import DEFAULT_SOURCES

ROOT = Path(__file__).resolve().parent.parent


SOURCE_DIRS = DEFAULT_SOURCES


@pytest.fixture(scope="module")
def facts():  # type: ignore[no-untyped-def]
    """The reports' facts and the reference tables' (INEGI's INPC): both owe a verbatim quote."""
    p = project_paths()
    assert p.reference, "the bundled reference tables (fixtures/reference/*.csv) are missing"
    return load_facts(ROOT / "fixtures" / "reports", load_registry(p.registry), extra=p.reference).facts


def _source(doc: str) -> Path:
    return next((d / doc for d in SOURCE_DIRS if (d / doc).is_file()), SOURCE_DIRS[0] / doc)


def test_every_quote_is_at_its_locator(facts) -> None:  # type: ignore[no-untyped-def]
    bad = []
    for r in facts.itertuples():
        src = SourceText.load(_source(r.source))
        if not src.contains(r.locator, r.quote):
            bad.append(f"{r.fact_id}: {r.quote[:60]!r} not at {r.source}:{r.locator}")
        elif r.published and fold(r.published) not in fold(r.quote):
            bad.append(f"{r.fact_id}: published {r.published!r} not inside its quote")
    assert not bad, "\n".join(bad[:50])


def test_sources_are_the_seed_texts() -> None:
    seeds = ROOT.parent / "shared" / "seeds"
    if not seeds.is_dir():
        pytest.skip("shared/seeds not beside this checkout")
    for f in sorted((ROOT / "fixtures" / "sources").glob("*.txt")):
        assert f.read_bytes() == (seeds / f.name).read_bytes(), f.name
