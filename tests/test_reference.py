"""The reference INPC table reproduces INEGI's published headline rates (fixtures/reference/).

Why: a reference table is only as good as its transcription. Every rate INEGI published and
``documents.yaml`` quotes is recomputed from the monthly index and must round to the published
figure; a mistyped month would move at least one of them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import load_registry
from cuadra.engine import project_paths

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "fixtures" / "reference"
DOCS = yaml.safe_load((REF / "documents.yaml").read_text(encoding="utf-8"))["documents"]
CHECKS = [(d["id"], c) for d in DOCS for c in d.get("checks", [])]


@pytest.fixture(scope="module")
def inpc() -> dict[str, Decimal]:
    facts = load_facts(REF / "inpc_inegi.csv", load_registry(project_paths().registry)).facts
    rows = facts[facts["concept"] == "referencia.inpc.indice_general"]
    return {str(p): Decimal(repr(v)) for p, v in zip(rows["period"], rows["value"], strict=True)}


def test_every_month_from_2018_to_june_2024_once(inpc: dict[str, Decimal]) -> None:
    expected = {f"{y}-{m:02d}" for y in range(2018, 2025) for m in range(1, 13) if (y, m) <= (2024, 6)}
    assert set(inpc) == expected


@pytest.mark.parametrize(("doc", "check"), CHECKS, ids=[c["rate"] for _, c in CHECKS])
def test_published_rate_is_recomputed(inpc: dict[str, Decimal], doc: str, check: dict) -> None:
    num, den = (s.strip() for s in check["rate"].split("/"))
    rate = (inpc[num] / inpc[den] - 1) * 100
    published = Decimal(str(check["published"]))
    assert rate.quantize(published, rounding=ROUND_HALF_UP) == published, (doc, check["rate"], rate)
    assert check["quote"] and check["url"].startswith("https://")
