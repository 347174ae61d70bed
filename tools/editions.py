"""Many editions of the bundle: the five reports with every period shifted by k years, k = 0..N-1.

One job: a realistic, large dataset for ``nox -s bench`` (issue 17). Each edition is the bundled
reports' facts, unchanged but for the period (``2020-12`` → ``2020+k-12``), so every rule finds one
more set of instances per edition, the duplicate family finds the same groups again, and the
evaluator's cost can be plotted against the number of facts. Sources and locators stay as they are
(an edition cites the same lines); the quote of edition k > 0 ends in `` [edición k]``, because a
series row (2018, 2019, 2020 on one line) shifted by one year would otherwise restate the next
edition's fact, which the contract rightly refuses. Fixed-period references (``x["2019-12"]``) keep
pointing at the original year, as they would in a later report.

    python tools/editions.py 50 out/editions50        # writes e00_000_….csv … e49_004_….csv
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "fixtures" / "reports"
_YEAR = re.compile(r"^(\d{4})")


def shifted(period: str, years: int) -> str:
    return _YEAR.sub(lambda m: str(int(m.group(1)) + years), period, count=1)


def write_editions(n: int, out: Path, bundle: Path = BUNDLE) -> list[Path]:
    """Write ``n`` editions of ``bundle`` into ``out`` (one CSV per report and edition)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for src in sorted(bundle.glob("*.csv")):
        with src.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
            fields = list(rows[0].keys()) if rows else []
        for k in range(n):
            dst = out / f"e{k:03d}_{src.name}"
            with dst.open("w", encoding="utf-8", newline="") as fh:
                w = csv.DictWriter(fh, fieldnames=fields)
                w.writeheader()
                for r in rows:
                    w.writerow({**r, "period": shifted(r["period"], k),
                                "quote": f"{r['quote']} [edición {k}]" if k else r["quote"]})
            written.append(dst)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("editions", type=int)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    files = write_editions(args.editions, args.out)
    print(f"{len(files)} files in {args.out}")


if __name__ == "__main__":
    main()
