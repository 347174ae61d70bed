"""Benchmark: wall time of `cuadra validate` on the bundle per backend, and rule-instance
evaluations per second on a synthetic table of ~100 k facts (issue 2, "Tests and measures").

Run with `nox -s bench`. Prints a table and writes out/bench.json. Timings are measured here and
never asserted in tests.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.contract.facts import _finish  # noqa: E402
from cuadra.rules.catalogue import load_catalogue  # noqa: E402
from cuadra.rules.evaluate import FactIndex, evaluate_rule  # noqa: E402
from cuadra.rules.to_sql import rule_sql  # noqa: E402
from expectations.suite import SQL_COLUMNS  # noqa: E402

SYNTH_RULES = """
- {id: s.suma, titulo: suma, expr: "s.total == s.a + s.b + s.c", kind: suma, fuentes: ["000_18269b3800bc8850.txt:1"]}
- {id: s.crec, titulo: crecimiento, expr: "(s.total / s.total[t-1] - 1) * 100 == s.g", kind: crecimiento,
   fuentes: ["000_18269b3800bc8850.txt:1"]}
- {id: s.razon, titulo: razon, expr: "s.a / s.total * 100 == s.p", kind: razon, fuentes: ["000_18269b3800bc8850.txt:1"]}
- {id: s.cota, titulo: cota, expr: "s.c <= s.total", kind: cota, fuentes: ["000_18269b3800bc8850.txt:1"]}
- {id: s.dif, titulo: diferencia, expr: "s.d == s.total - s.total[t-1]", kind: diferencia,
   fuentes: ["000_18269b3800bc8850.txt:1"]}
"""


def synthetic(n_periods: int, seed: int = 0) -> pd.DataFrame:
    """Balanced facts over many monthly periods (each rule gets about n_periods instances)."""
    rng = np.random.default_rng(seed)
    periods = [f"{1900 + i // 12}-{i % 12 + 1:02d}" for i in range(n_periods)]
    a, b, c = (rng.integers(1_000, 1_000_000, n_periods).astype(float) for _ in range(3))
    total = a + b + c
    prev = {p: t for p, t in zip(periods, total, strict=True)}
    rows = []

    def add(concept: str, period: str, value: float, decimals: int) -> None:
        rows.append({"fact_id": f"synth:{len(rows) + 2}", "concept": concept, "period": period,
                     "value": round(value, decimals), "unit": "unidades", "scale": 0, "decimals": decimals,
                     "rounding": "nearest", "status": "final", "source": "synth.txt", "locator": "1",
                     "quote": "q", "published": "", "lectura": "", "pub_value": np.nan, "pub_scale": np.nan,
                     "pub_decimals": np.nan, "pub_error": "", "rango_min": np.nan, "rango_max": np.nan})

    for i, p in enumerate(periods):
        for name, v in (("s.a", a[i]), ("s.b", b[i]), ("s.c", c[i]), ("s.total", total[i])):
            add(name, p, v, 0)
        add("s.p", p, a[i] / total[i] * 100, 1)
        last = f"{int(p[:4]) - 1}{p[4:]}"
        if last in prev:
            add("s.g", p, (total[i] / prev[last] - 1) * 100, 2)
            add("s.d", p, total[i] - prev[last], 0)
    return _finish(rows)


def time_bundle(backend: str) -> float:
    """A fresh interpreter, as a steward or CI runs it (imports included: GX alone takes ~3.5 s)."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cuadra", "validate", "--backend", backend, "--quiet"], cwd=ROOT,
                   check=False, capture_output=True)
    return time.perf_counter() - t


def bench_docs(repeats: int = 5) -> dict[str, object]:
    """Issue 6: size of the evidence site of the whole bundle, and how fast its index opens.

    Build time and bytes always; load times (median of ``repeats`` navigations in headless
    Chromium, from file:// with the network off) when chromium and chromedriver are installed.
    Also writes out/datadocs-index.png (the README screenshot is a copy of it).
    """
    from cuadra.engine import validate
    from expectations.docs import build_site

    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        run, _, rules, registry = validate(ROOT / "fixtures" / "reports", backend="both", docs_dir=site)
        t = time.perf_counter()
        index = build_site(run, site, registry=registry, rules=rules)
        out["docs_build_s"] = round(time.perf_counter() - t, 3)
        ours = [p for p in site.rglob("*") if p.is_file() and "gx" not in p.relative_to(site).parts]
        out.update({
            "docs_findings_pages": len(list((site / "hallazgos").glob("*.html"))),
            "docs_index_kb": round(index.stat().st_size / 1024, 1),
            "docs_largest_page_kb": round(max(p.stat().st_size for p in ours if p.suffix == ".html") / 1024, 1),
            "docs_site_kb_without_gx": round(sum(p.stat().st_size for p in ours) / 1024),
            "docs_site_kb_with_gx": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1024),
        })
        # Ten times the bundle's instances (distinct keys): how the index grows with the catalogue.
        from dataclasses import replace

        big = replace(run, findings=[replace(f, key=f"{f.key}~{i}") for i in range(10) for f in run.findings])
        t = time.perf_counter()
        big_index = build_site(big, Path(tmp) / "x10", registry=registry, rules=rules)
        out["docs_x10_instances"] = len(big.findings)
        out["docs_x10_build_s"] = round(time.perf_counter() - t, 3)
        out["docs_x10_index_kb"] = round(big_index.stat().st_size / 1024, 1)
        from webdriver import Browser, browser_available

        if browser_available():
            timing = ("var n=performance.getEntriesByType('navigation')[0];"
                      "return [n.domContentLoadedEventEnd, n.loadEventEnd]")
            largest = max((p for p in ours if p.suffix == ".html"), key=lambda p: p.stat().st_size)
            with Browser(width=1280, height=1300) as b:
                for label, page in (("index", index), ("largest_page", largest), ("x10_index", big_index)):
                    samples = []
                    for _ in range(repeats):
                        b.get(page.as_uri())
                        samples.append(b.script(timing))
                    for i, name in enumerate(("dom_content_loaded_ms", "load_ms")):
                        out[f"docs_{label}_{name}"] = round(float(np.median([s[i] for s in samples])), 1)
                    if page == index:
                        (ROOT / "out").mkdir(exist_ok=True)
                        (ROOT / "out" / "datadocs-index.png").write_bytes(b.screenshot())
    return out


def bench_gate(repeats: int = 2) -> dict[str, object]:
    """Issue 8: `cuadra gate` on the bundle against an unchanged copy, and its cost over one validate.

    Per backend of HEAD: the gate validates HEAD in full and evaluates BASE with the numpy
    evaluator, reusing HEAD's registry and catalogue, so the ratio should stay a little above 1.
    """
    import shutil

    from cuadra.engine import validate
    from cuadra.gate import run_gate

    bundle = ROOT / "fixtures" / "reports"
    out: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        head = Path(tmp) / "reports"
        shutil.copytree(bundle, head)
        for backend in ("pandera", "both"):
            v = g = float("inf")
            for _ in range(repeats):  # best of `repeats`, alternating, so load noise hits both alike
                t = time.perf_counter()
                validate(head, backend=backend)
                v = min(v, time.perf_counter() - t)
                t = time.perf_counter()
                result = run_gate(bundle, head, backend=backend)
                g = min(g, time.perf_counter() - t)
            out[f"gate_{backend}_validate_s"] = round(v, 2)
            out[f"gate_{backend}_s"] = round(g, 2)
            out[f"ratio_gate_over_validate_{backend}"] = round(g / v, 2)
        out["gate_known_findings"] = len(result.findings.known)
        # What the gate adds to HEAD's validate, timed alone (the end-to-end ratios above carry
        # the noise of two long runs): BASE evaluated by the numpy evaluator, then both diffs.
        from cuadra.engine import project_paths
        from cuadra.gate.diff import diff_findings
        from cuadra.gate.revisions import diff_facts
        from cuadra.gate.sides import base_side

        run, _, rules, registry = validate(head, backend="pandera")
        head_side = base_side(head, project_paths(), registry, rules, run.catalogue_hash)
        extra = float("inf")
        for _ in range(repeats + 1):
            t = time.perf_counter()
            side = base_side(bundle, project_paths(), registry, rules, run.catalogue_hash)
            diff_findings(side.findings, head_side.findings)
            diff_facts(side.facts, head_side.facts)
            extra = min(extra, time.perf_counter() - t)
        out["gate_overhead_s"] = round(extra, 3)
        for backend in ("pandera", "both"):
            v = float(out[f"gate_{backend}_validate_s"])  # type: ignore[arg-type]
            out[f"ratio_gate_over_validate_{backend}_from_overhead"] = round((v + extra) / v, 2)
    return out


def main() -> None:
    n_periods = int(sys.argv[1]) if len(sys.argv) > 1 else 14_500
    results: dict[str, object] = {}
    for backend in ("pandera", "gx", "both"):
        results[f"bundle_{backend}_s"] = round(time_bundle(backend), 2)
    facts = synthetic(n_periods)
    with tempfile.TemporaryDirectory() as tmp:
        rp = Path(tmp) / "r.yaml"
        rp.write_text(SYNTH_RULES, encoding="utf-8")
        rules = load_catalogue([rp])
        t = time.perf_counter()
        index = FactIndex(facts)
        n_numpy = sum(len(evaluate_rule(r, index)) for r in rules)
        numpy_s = time.perf_counter() - t
        t = time.perf_counter()
        from checks.schema import run_pandera

        run_pandera(facts, rules)
        pandera_s = time.perf_counter() - t
        con = sqlite3.connect(":memory:")
        facts[SQL_COLUMNS].to_sql("facts", con, index=False)
        t = time.perf_counter()
        n_sql = sum(len(con.execute(rule_sql(r).replace("{batch}", "facts")).fetchall()) for r in rules)
        sql_s = time.perf_counter() - t
        from expectations.suite import run_gx

        t = time.perf_counter()
        run_gx(facts, rules, ["unidades"])
        gx_s = time.perf_counter() - t
    results.update({
        "synthetic_facts": len(facts), "synthetic_instances": n_numpy, "sql_instances": n_sql,
        "numpy_evaluator_s": round(numpy_s, 3), "pandera_backend_s": round(pandera_s, 3),
        "sqlite_compiled_s": round(sql_s, 3), "gx_backend_s": round(gx_s, 3),
        "pandera_instances_per_s": round(n_numpy / pandera_s), "gx_instances_per_s": round(n_sql / gx_s),
        "ratio_pandera_over_gx": round((n_numpy / pandera_s) / (n_sql / gx_s), 2),
    })
    results.update(bench_docs())
    results.update(bench_gate())
    width = max(map(len, results))
    for k, v in results.items():
        print(f"{k:<{width}}  {v}")
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
