"""Mutation score: inject every fault class into every bundled fact that takes part in a rule.

Usage: ``nox -s mutation [-- --seeds N --min-rate 0.99]`` (or ``python tools/mutation.py``).

For each fault and each rule instance that involves the changed fact, the exact rational evaluator
(``cuadra.testing.exact``) says whether the instance *must* now be reported: its status was ``pass``
and the fault moved the figures beyond what their rounding allows (``fail``), or an operand went
missing (``indeterminate``). The production evaluator (numpy, behind Pandera) must then report it
(caught); reporting an instance the exact evaluator finds consistent is a false alarm. A fault that
no rule can see (absorbed by rounding, or only inequalities constrain the figure) is "undetectable"
and counted apart: that is the catalogue's coverage, not the evaluator's accuracy. A wrong unit
label is the contract's job: it counts as caught when the loader rejects the row.

Prints the detection rate per fault class and per rule kind, the false alarms, and exits 1 when the
rate is below ``--min-rate`` or any false alarm occurs. Writes out/mutation.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.contract.facts import facts_from_records, load_facts  # noqa: E402
from cuadra.contract.registry import load_registry  # noqa: E402
from cuadra.engine import project_paths  # noqa: E402
from cuadra.errors import InputErrors  # noqa: E402
from cuadra.faults import FAULTS, inject  # noqa: E402
from cuadra.rules.catalogue import Rule, load_catalogue  # noqa: E402
from cuadra.rules.evaluate import FactIndex, evaluate_rule  # noqa: E402
from cuadra.testing.exact import exact_statuses  # noqa: E402


def _numpy(rule: Rule, df: pd.DataFrame) -> dict[str, str]:
    res = evaluate_rule(rule, FactIndex(df))
    return dict(zip(res.keys, map(str, res.status), strict=True))


def _record(row: pd.Series) -> dict[str, str]:
    cells = {k: "" if pd.isna(row[k]) else str(row[k]) for k in
             ("concept", "period", "unit", "rounding", "status", "source", "locator", "quote", "published", "lectura")}
    cells.update(value=repr(float(row["value"])) if not pd.isna(row["value"]) else "", scale=str(int(row["scale"])),
                 decimals=str(int(row["decimals"])))
    return cells


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=1)
    # Measured 100.0 % on the bundle (README); 0.999 leaves room for one miss per thousand as the catalogue grows.
    ap.add_argument("--min-rate", type=float, default=0.999)
    ap.add_argument("--limit", type=int, default=0, help="only the first N participating facts (quick look)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    paths = project_paths()
    registry = load_registry(paths.registry)
    facts = load_facts(ROOT / "fixtures" / "reports", registry, extra=paths.reference).facts
    rules = load_catalogue(paths.rules, registry.concepts)
    by_concept: dict[str, list[Rule]] = defaultdict(list)
    for r in rules:
        for c in r.concepts:
            by_concept[c].append(r)
    participating = [i for i in range(len(facts)) if facts["concept"].iat[i] in by_concept]
    if args.limit:
        participating = participating[: args.limit]
    stats: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    false_alarms: list[str] = []
    missed: list[str] = []
    for n_done, i in enumerate(participating):
        concept = facts["concept"].iat[i]
        mine = by_concept[concept]
        concepts = {c for r in mine for c in r.concepts}
        sub = facts[facts["concept"].isin(concepts)].reset_index(drop=True)
        j = int((sub["fact_id"] == facts["fact_id"].iat[i]).to_numpy().nonzero()[0][0])
        before = {r.id: exact_statuses(r, sub) for r in mine}
        for name, fault in FAULTS.items():
            for seed in range(args.seeds):
                faulty = inject(name, sub, j, seed)
                if faulty is None:
                    continue
                kind_of: dict[str, str] = {}
                if fault.effect == "contract":
                    try:
                        facts_from_records([("mutante.csv", 2, _record(faulty.iloc[j]))], registry)
                        stats[(name, "contrato")]["detectable"] += 1
                        missed.append(f"{name} {facts['fact_id'].iat[i]}: the loader accepted the row")
                    except InputErrors:
                        stats[(name, "contrato")]["detectable"] += 1
                        stats[(name, "contrato")]["caught"] += 1
                    continue
                detectable = caught = False
                for r in mine:
                    exact_after, got = exact_statuses(r, faulty), _numpy(r, faulty)
                    for key, st in got.items():
                        if st == "fail" and exact_after.get(key) != "fail":
                            false_alarms.append(f"{name} on {facts['fact_id'].iat[i]}: {r.id} {key}")
                    for key, st in exact_after.items():
                        was = before[r.id].get(key)
                        if was == "pass" and st in ("fail", "indeterminate"):
                            detectable = True
                            kind_of.setdefault(r.kind, "missed")
                            if got.get(key) == st:
                                caught = True
                                kind_of[r.kind] = "caught"
                cls = stats[(name, "*")]
                cls["injected"] += 1
                if detectable:
                    cls["detectable"] += 1
                    cls["caught"] += caught
                    if not caught:
                        missed.append(f"{name} on {facts['fact_id'].iat[i]} ({concept})")
                for kind, outcome in kind_of.items():
                    stats[(name, kind)]["detectable"] += 1
                    stats[(name, kind)]["caught"] += outcome == "caught"
        if n_done and n_done % 200 == 0:
            print(f"… {n_done}/{len(participating)} facts, {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    rows = []
    tot_det = tot_caught = tot_inj = 0
    for name in FAULTS:
        c = stats[(name, "*")] if FAULTS[name].effect != "contract" else stats[(name, "contrato")]
        inj = c.get("injected", c.get("detectable", 0))
        det, cau = c.get("detectable", 0), c.get("caught", 0)
        tot_det, tot_caught, tot_inj = tot_det + det, tot_caught + cau, tot_inj + inj
        rows.append((name, inj, det, cau, cau / det if det else 1.0))
    kinds = sorted({k for (_, k) in stats if k not in ("*",)})
    per_kind = {k: (sum(stats[(n, k)].get("detectable", 0) for n in FAULTS),
                    sum(stats[(n, k)].get("caught", 0) for n in FAULTS)) for k in kinds}
    rate = tot_caught / tot_det if tot_det else 1.0
    print(f"\nMutation score on {len(participating)} facts that take part in {len(rules)} rules "
          f"({args.seeds} seed(s), {time.perf_counter() - t0:.0f} s)\n")
    print("| fault class | injected | detectable | caught | rate |\n|---|---|---|---|---|")
    for name, inj, det, cau, r in rows:
        print(f"| {name} | {inj} | {det} | {cau} | {r:.1%} |")
    print(f"| **all** | {tot_inj} | {tot_det} | {tot_caught} | **{rate:.2%}** |\n")
    print("| rule kind | detectable | caught | rate |\n|---|---|---|---|")
    for k, (det, cau) in per_kind.items():
        print(f"| {k} | {det} | {cau} | {cau / det if det else 1:.1%} |")
    print(f"\nfalse alarms: {len(false_alarms)}")
    for f in false_alarms[:20]:
        print("  " + f)
    for m in missed[:20]:
        print("  missed: " + m)
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "mutation.json").write_text(json.dumps({
        "facts": len(participating), "rules": len(rules), "seeds": args.seeds, "rate": rate,
        "false_alarms": false_alarms, "missed": missed,
        "by_fault": {n: {"injected": i, "detectable": d, "caught": c} for n, i, d, c, _ in rows},
        "by_kind": {k: {"detectable": d, "caught": c} for k, (d, c) in per_kind.items()},
    }, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0 if rate >= args.min_rate and not false_alarms else 1


if __name__ == "__main__":
    raise SystemExit(main())
