"""Recall of `cuadra extraer` on the bundled reports (issue 14), printed for `nox -s bench`.

Usage: python tools/bench_extract.py [--min-recall 0.97] [--misses N]

Runs the extractor on every fixtures/sources/*.txt and compares its candidates with the facts a
person transcribed (fixtures/reports/*.csv): the share of printed facts proposed with their value on
one of their lines, and the share when an OCR-corrected fact (one with a `lectura`) counts as found
with the value as printed. Also: how often the suggested concept, the unit and the period guess
agree with the transcription. Exit 1 below --min-recall.
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.contract.registry import default_registry_paths, load_registry  # noqa: E402
from cuadra.extract.candidates import Candidate, extract_lines  # noqa: E402
from cuadra.extract.recall import read_facts, recall  # noqa: E402
from cuadra.extract.suggest import Suggester, entries_from_registry  # noqa: E402
from cuadra.extract.text import read_document  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--min-recall", type=float, default=0.97)
    ap.add_argument("--misses", type=int, default=0, help="print the first N facts not proposed")
    args = ap.parse_args()
    t0 = time.perf_counter()
    registry = load_registry(default_registry_paths(ROOT / "fixtures"))
    suggester = Suggester(entries_from_registry(registry.concepts))
    candidates: list[Candidate] = []
    others = 0
    for path in sorted((ROOT / "fixtures" / "sources").glob("*.txt")):
        c, o = extract_lines(read_document(path), path.name, suggester)
        candidates += c
        others += len(o)
    seconds = time.perf_counter() - t0
    facts = read_facts(sorted((ROOT / "fixtures" / "reports").rglob("*.csv")))
    r = recall(candidates, facts)
    by_place = {(c.source, c.locator, Decimal(c.value)): c for c in candidates}
    agree = {"concept": 0, "unit": 0, "period": 0}
    n = 0
    for f in facts:
        c = by_place.get((f["source"], f["locator"], Decimal(f["value"]))) if f["value"] else None
        if c is not None and f["published"] and not f["lectura"]:
            n += 1
            for k in agree:
                agree[k] += getattr(c, k) == f[k]
    print(f"extraer on the bundle: {len(candidates)} candidates, {others} non-figures, {seconds:.1f} s")
    print(f"recall: {r.found}/{r.printed} printed facts proposed with their value and line = {r.share:.2%}; "
          f"{r.found + r.found_as_printed}/{r.printed} = {r.share_as_printed:.2%} counting OCR-corrected facts "
          f"(lectura) proposed as printed; {r.unprinted} facts not printed as digits (words, counted lists)")
    if n:
        print("guesses on the facts found: " + ", ".join(f"{k} {v / n:.0%}" for k, v in agree.items()))
    for m in r.misses[: args.misses]:
        print(f"  miss {m['source']}:{m['locator']} {m['published']!r} value {m['value']} {m['lectura'][:60]}")
    return 0 if r.share >= args.min_recall else 1


if __name__ == "__main__":
    raise SystemExit(main())
