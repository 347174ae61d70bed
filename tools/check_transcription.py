"""Check a transcription of one source document: contract, quotes, and completeness.

Usage: python tools/check_transcription.py SOURCE_FILE_NAME [--lines A-B] [--show N]

Reads every CSV under fixtures/reports/ (parts included) whose rows name SOURCE in `source`,
every concept file (fixtures/concepts.yaml, fixtures/concepts/*.yaml) and the exclusion files
fixtures/exclusions/SOURCE*.yaml. Prints every problem with file:row, then the numbers of the
source that are neither a fact nor excluded. Exit 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.contract.numbers import CifraInvalida, parse_cifra  # noqa: E402
from cuadra.transcription.coverage import coverage  # noqa: E402
from cuadra.transcription.sources import SourceText, find_source, parse_locator  # noqa: E402
from cuadra.yamlload import load_yaml  # noqa: E402

COLUMNS = ["concept", "period", "value", "unit", "scale", "decimals", "rounding", "status",
           "source", "locator", "quote", "published", "lectura"]
CONCEPT = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
PERIOD = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def load_registry() -> tuple[dict, dict]:
    units: dict = {}
    concepts: dict = {}
    files = [ROOT / "fixtures/concepts.yaml", *sorted((ROOT / "fixtures/concepts").glob("*.yaml"))]
    for f in files:
        data = load_yaml(f)[0] or {}
        units.update(data.get("units") or {})
        for cid, c in (data.get("concepts") or {}).items():
            if cid in concepts and concepts[cid]["unit"] != c.get("unit"):
                print(f"{f.name}: concept {cid} registered twice with units "
                      f"{concepts[cid]['unit']} and {c.get('unit')}")
            concepts.setdefault(cid, dict(c, _file=f.name))
    return units, concepts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("--lines", default=None, help="only report coverage for lines A-B")
    ap.add_argument("--show", type=int, default=200)
    args = ap.parse_args()
    found = find_source([ROOT / "fixtures/sources"], args.source)
    if found is None:
        print(f"{args.source}: no such source text in fixtures/sources (a document id, not a path)")
        return 2
    src = SourceText(found)
    units, concepts = load_registry()
    problems: list[str] = []
    facts: list[tuple[str, str]] = []
    n = 0
    for path in sorted((ROOT / "fixtures/reports").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != COLUMNS:
                problems.append(f"{path.name}: header must be exactly {','.join(COLUMNS)}")
                continue
            for i, row in enumerate(reader, start=2):
                if row["source"] != args.source:
                    continue
                n += 1
                where = f"{path.relative_to(ROOT)}:{i}"
                c = concepts.get(row["concept"])
                if not CONCEPT.match(row["concept"]):
                    problems.append(f"{where}: concept {row['concept']!r} is not dotted snake_case")
                if c is None:
                    problems.append(f"{where}: concept {row['concept']!r} is not registered")
                elif c.get("unit") != row["unit"]:
                    problems.append(f"{where}: unit {row['unit']!r} but concept says {c.get('unit')!r}")
                if row["unit"] not in units:
                    problems.append(f"{where}: unit {row['unit']!r} is not registered")
                if not PERIOD.match(row["period"]):
                    problems.append(f"{where}: period {row['period']!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
                if row["rounding"] not in ("nearest", "truncate", "exact"):
                    problems.append(f"{where}: rounding {row['rounding']!r}")
                if row["status"] not in ("final", "preliminar", "NA", "ND"):
                    problems.append(f"{where}: status {row['status']!r}")
                if row["status"] in ("NA", "ND"):
                    if row["value"]:
                        problems.append(f"{where}: status {row['status']} but a value is given")
                else:
                    try:
                        value = Decimal(row["value"])
                        scale, decimals = int(row["scale"]), int(row["decimals"])
                    except (InvalidOperation, ValueError):
                        problems.append(f"{where}: value/scale/decimals must be plain numbers: "
                                        f"{row['value']!r} {row['scale']!r} {row['decimals']!r}")
                        continue
                    if scale not in (0, 3, 6, 9, 12):
                        problems.append(f"{where}: scale {scale} not in 0,3,6,9,12")
                    if row["published"] and not row["lectura"]:
                        try:
                            cf = parse_cifra(row["published"])
                            if (cf.value, cf.decimals) != (value, decimals) or (cf.scale_word and cf.scale != scale):
                                problems.append(
                                    f"{where}: published {row['published']!r} reads "
                                    f"value={cf.value} scale={cf.scale} decimals={cf.decimals}, row says "
                                    f"{value} {scale} {decimals} (explain a different reading in lectura)")
                        except CifraInvalida as exc:
                            problems.append(f"{where}: published does not parse: {exc} "
                                            "(if OCR garbled it, explain in lectura)")
                try:
                    parse_locator(row["locator"])
                    if not src.contains(row["locator"], row["quote"]):
                        problems.append(f"{where}: quote not found at lines {row['locator']}: {row['quote'][:80]!r}")
                    if row["published"] and row["published"] not in row["quote"]:
                        problems.append(f"{where}: published {row['published']!r} is not inside the quote")
                except ValueError as exc:
                    problems.append(f"{where}: {exc}")
                facts.append((row["locator"], row["published"]))
    exclusions: list[dict] = []
    for f in sorted((ROOT / "fixtures/exclusions").glob(args.source.removesuffix(".txt") + "*.yaml")):
        entries = load_yaml(f)[0] or []
        for e in entries:
            if not e.get("why"):
                problems.append(f"{f.name}: exclusion at line {e.get('line')} has no 'why'")
        exclusions.extend(entries)
    cov = coverage(src, facts, exclusions, source=args.source)
    lo, hi = (parse_locator(args.lines) if args.lines else (1, len(src.lines)))
    for p in problems[: args.show]:
        print(p)
    shown = 0
    for line_no, toks in cov.uncovered.items():
        if lo <= line_no <= hi and shown < args.show:
            print(f"uncovered {args.source}:{line_no}: {' '.join(toks)}")
            shown += 1
    for line_no, tok in cov.exclusions_not_found:
        print(f"exclusion not in text or already used by a fact: line {line_no} token {tok}")
    uncovered_in_range = sum(len(t) for ln, t in cov.uncovered.items() if lo <= ln <= hi)
    print(f"\n{n} facts; {cov.tokens_total} numeric tokens: {cov.years} years, {cov.by_facts} by facts, "
          f"{cov.by_exclusions} excluded, {cov.uncovered_count} uncovered "
          f"({uncovered_in_range} in lines {lo}-{hi}); {len(problems)} problems")
    return 1 if problems or uncovered_in_range else 0


if __name__ == "__main__":
    raise SystemExit(main())
