"""Benchmark: every speed target of issue 17 as a ratio to a floor measured in the same run.

Run with `nox -s bench` (`-- --quick` skips the Data Docs and synthetic-table measures; `-- --facts
1000000` adds a run of that many facts for peak memory). Prints each ratio beside its target,
writes out/bench.json and docs/bench.md (machine, versions, the table, and docs/img/bench_scaling.png:
time against facts, 1 to 50 editions of the bundle). Timings are measured here and never asserted
in tests.

Every whole-process figure is a median over alternating runs (A B A B …) of fresh interpreters, with
peak memory from the kernel's own accounting of each child (``os.wait4``). The catalogue cache is
warm (a steward's steady state); ``CUADRA_CACHE`` points at a folder of this run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from editions import write_editions  # noqa: E402

from cuadra.contract.facts import _finish  # noqa: E402
from cuadra.rules.catalogue import load_catalogue  # noqa: E402
from cuadra.rules.evaluate import FactIndex, evaluate_rules  # noqa: E402
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


def bench_synthetic(n_periods: int) -> dict[str, object]:
    """The synthetic table of issue 2: ~100 k facts, 5 rules; instances per second per backend."""
    facts = synthetic(n_periods)
    with tempfile.TemporaryDirectory() as tmp:
        rp = Path(tmp) / "r.yaml"
        rp.write_text(SYNTH_RULES, encoding="utf-8")
        rules = load_catalogue([rp])
        t = time.perf_counter()
        index = FactIndex(facts)
        n_numpy = sum(len(r) for r in evaluate_rules(rules, index))
        numpy_s = time.perf_counter() - t
        from checks.schema import run_pandera

        t = time.perf_counter()
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
    return {
        "synthetic_facts": len(facts), "synthetic_instances": n_numpy, "sql_instances": n_sql,
        "numpy_evaluator_s": round(numpy_s, 3), "pandera_backend_s": round(pandera_s, 3),
        "sqlite_compiled_s": round(sql_s, 3), "gx_backend_s": round(gx_s, 3),
        "synthetic_pandera_instances_per_s": round(n_numpy / pandera_s), "gx_instances_per_s": round(n_sql / gx_s),
        "ratio_pandera_over_gx": round((n_numpy / pandera_s) / (n_sql / gx_s), 2),
    }


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
            # In-process (``inproc_``): the headline ratio is the whole-process one of bench_speed, which
            # this must not overwrite (it did: the table showed this figure under that one's name).
            out[f"inproc_ratio_gate_over_validate_{backend}"] = round(g / v, 2)
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
            out[f"inproc_ratio_gate_over_validate_{backend}_from_overhead"] = round((v + extra) / v, 2)
    return out


TARGETS = {  # ratio → (what, target, direction)
    "ratio_small_pandera_over_import_pandera": ("an 11-fact submission, --backend pandera / import pandera.pandas",
                                                1.3, "<="),
    "ratio_bundle_both_over_import_pandera_gx": ("the bundle, --backend both / import pandera.pandas, "
                                                 "great_expectations", 1.5, "<="),
    "ratio_gate_over_validate_both": ("cuadra gate BASE HEAD / validate HEAD (both backends)", 1.2, "<="),
    "ratio_gate_json_over_validate_both": ("cuadra gate BASE.json HEAD / validate HEAD (both backends)", 1.2, "<="),
    "evaluator_instances_per_s": ("decided instances per second, numpy evaluator, 50 editions", 500_000, ">="),
    "scaling_50_over_1_per_fact": ("time per fact, 50 editions / 1 edition (linear: about 1 or less)", 1.0, "<="),
}
PY = sys.executable


def child(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak RSS (bytes) of one fresh process, from ``os.wait4``."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024


def paired(a: list[str], b: list[str], env: dict[str, str], repeats: int) -> dict[str, float]:
    """A and B in turn after one warm-up each; medians, and the median of the pairwise ratios."""
    child(a, env)
    child(b, env)
    rows = [(child(a, env), child(b, env)) for _ in range(repeats)]
    return {
        "a_wall_s": statistics.median(x[0][0] for x in rows), "b_wall_s": statistics.median(x[1][0] for x in rows),
        "a_cpu_s": statistics.median(x[0][1] for x in rows), "b_cpu_s": statistics.median(x[1][1] for x in rows),
        "ratio_wall": statistics.median(x[0][0] / x[1][0] for x in rows),
        "ratio_cpu": statistics.median(x[0][1] / x[1][1] for x in rows),
        "a_peak_mib": max(x[0][2] for x in rows) / 2**20, "b_peak_mib": max(x[1][2] for x in rows) / 2**20,
    }


def cuadra(*args: str) -> list[str]:
    return [PY, "-m", "cuadra", *args]


#: In-process runs of the evaluator per dataset; its figure is their median (wall and CPU).
EVALUATOR_REPEATS = 5


def evaluator_rate(path: Path) -> dict[str, float]:
    """In process: the numpy evaluator (grouping, built-ins, every rule) and the Pandera backend."""
    from checks.schema import run_pandera
    from cuadra.contract.facts import load_facts
    from cuadra.engine import load_project, project_paths
    from cuadra.rules.builtins import evaluate_builtins

    project = project_paths()
    registry, rules = load_project(project)
    t = time.perf_counter()
    facts = load_facts(path, registry, extra=project.reference).facts
    load_s = time.perf_counter() - t
    walls, cpus = [], []
    for _ in range(EVALUATOR_REPEATS):  # the median of a few runs: one run is at the mercy of the neighbours
        t, c = time.perf_counter(), time.process_time()
        index = FactIndex(facts)
        n = sum(len(r) for r in evaluate_builtins(index)) + sum(len(r) for r in evaluate_rules(rules, index))
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
        del index
    numpy_s, cpu_s = statistics.median(walls), statistics.median(cpus)
    t = time.perf_counter()
    run_pandera(facts, rules)
    pandera_s = time.perf_counter() - t
    return {"facts": len(facts), "instances": n, "load_s": load_s, "evaluator_s": numpy_s,
            "evaluator_cpu_s": cpu_s, "evaluator_min_s": min(walls),
            "evaluator_instances_per_s": n / numpy_s, "pandera_s": pandera_s, "pandera_instances_per_s": n / pandera_s}


def compile_project() -> None:
    """Bytecode for cuadra's own packages before timing, as an installed copy has it (pip and uv compile
    at install; an editable install with ``PYTHONDONTWRITEBYTECODE`` set would otherwise recompile
    cuadra's ~0.6 MB of source in every timed start, a cost no steward pays twice)."""
    import compileall

    for pkg in ("cuadra", "checks", "expectations"):
        compileall.compile_dir(ROOT / pkg, quiet=1)


def bench_speed(repeats: int, env: dict[str, str], tmp: Path, editions: list[int]) -> dict[str, object]:
    out: dict[str, object] = {}
    compile_project()
    small = tmp / "submission.csv"
    lines = (ROOT / "fixtures" / "reports" / "000_18269b3800bc8850.csv").read_text(encoding="utf-8").splitlines()
    small.write_text("\n".join(lines[:12]) + "\n", encoding="utf-8")  # header + 11 facts
    r = paired(cuadra("validate", str(small), "--backend", "pandera", "--quiet"),
               [PY, "-c", "import pandera.pandas"], env, repeats)
    out.update({f"small_pandera_{k}": v for k, v in r.items()})
    out["ratio_small_pandera_over_import_pandera"] = r["ratio_wall"]
    r = paired(cuadra("validate", "--backend", "both", "--quiet"),
               [PY, "-c", "import pandera.pandas, great_expectations"], env, repeats)
    out.update({f"bundle_both_{k}": v for k, v in r.items()})
    out["ratio_bundle_both_over_import_pandera_gx"] = r["ratio_wall"]
    bundle = ROOT / "fixtures" / "reports"
    base_json = tmp / "base.json"
    child(cuadra("validate", "--backend", "pandera", "--quiet", "--json", str(base_json)), env)
    r = paired(cuadra("gate", str(bundle), str(bundle), "--quiet"), cuadra("validate", "--quiet"), env, repeats)
    out.update({f"gate_both_{k}": v for k, v in r.items()})
    out["ratio_gate_over_validate_both"] = r["ratio_wall"]
    r = paired(cuadra("gate", str(base_json), str(bundle), "--quiet"), cuadra("validate", "--quiet"), env, repeats)
    out.update({f"gate_json_both_{k}": v for k, v in r.items()})
    out["ratio_gate_json_over_validate_both"] = r["ratio_wall"]
    scaling = []
    for k in editions:
        folder = tmp / f"editions{k}"
        write_editions(k, folder)
        wall, cpu, peak = child(cuadra("validate", str(folder), "--backend", "pandera", "--quiet"), env)
        rate = evaluator_rate(folder)
        scaling.append({"editions": k, "facts": rate["facts"], "instances": rate["instances"], "wall_s": wall,
                        "cpu_s": cpu, "peak_mib": peak / 2**20, **{f"inproc_{a}": b for a, b in rate.items()}})
        print(f"  {k:>3} editions: {rate['facts']:>9,} facts, {rate['instances']:>9,} instances, validate "
              f"{wall:6.1f} s, peak {peak / 2**20:,.0f} MiB; evaluator {rate['evaluator_s']:.3f} s "
              f"({rate['evaluator_instances_per_s']:,.0f}/s), Pandera backend {rate['pandera_s']:.2f} s", flush=True)
    out["scaling"] = scaling
    last, first = scaling[-1], scaling[0]
    out["evaluator_instances_per_s"] = last["inproc_evaluator_instances_per_s"]
    out["pandera_instances_per_s"] = last["inproc_pandera_instances_per_s"]
    out["scaling_50_over_1_per_fact"] = (last["wall_s"] / last["facts"]) / (first["wall_s"] / first["facts"])
    out["scaling_evaluator_50_over_1_per_instance"] = (
        (last["inproc_evaluator_s"] / last["instances"]) / (first["inproc_evaluator_s"] / first["instances"]))
    return out


#: Peak RSS targets (bytes) by facts: issue 15 (1 M facts under 2 GB), issue 17 (10 M under 4 GB).
MEMORY_TARGETS = {1_000_000: 2e9, 10_000_000: 4e9}


def _summary(findings_json: Path) -> dict[str, object]:
    """The ``summary`` of a findings JSON from its head alone: at 10 M facts the whole file is ~19 GB,
    and the findings come last (``cuadra.report.machine.write_json``)."""
    with findings_json.open(encoding="utf-8") as fh:
        head = fh.read(1 << 20)
    cut = head.find(',\n "findings": [')
    return json.loads(head[:cut] + "\n}")["summary"] if cut > 0 else json.loads(findings_json.read_text())["summary"]


def bench_memory(n_facts: int, env: dict[str, str], tmp: Path) -> dict[str, object]:
    """Peak RSS of `cuadra validate --backend pandera --json F` on about ``n_facts`` facts (editions
    of the bundle): the findings JSON of every instance is written, as a CI run would."""
    per_edition = 1689  # facts of one edition (the bundle's five reports)
    k = max(1, -(-n_facts // per_edition))
    folder = tmp / f"memory{k}"
    write_editions(k, folder)
    out = tmp / f"memory{k}.json"
    wall, cpu, peak = child(cuadra("validate", str(folder), "--backend", "pandera", "--quiet", "--json", str(out),
                                   "--max-rows", str(2 * k * per_edition)), env)
    summary = _summary(out) if out.exists() else {}
    out.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    return {f"memory_{n_facts}_editions": k, f"memory_{n_facts}_facts": summary.get("facts", 0),
            f"memory_{n_facts}_instances": summary.get("instances", 0), f"memory_{n_facts}_wall_s": wall,
            f"memory_{n_facts}_cpu_s": cpu, f"memory_{n_facts}_peak_mib": peak / 2**20}


def versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {"python": platform.python_version()}
    for pkg in ("cuadra", "numpy", "pandas", "pandera", "great-expectations", "sqlalchemy", "pyyaml"):
        try:
            out[pkg] = version(pkg)
        except Exception:  # a package not installed in this environment
            out[pkg] = "—"
    out["sqlite"] = sqlite3.sqlite_version
    return out


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu or 'unknown'}){mem}"


def plot(scaling: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    facts = [s["facts"] for s in scaling]
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    ax.plot(facts, [s["wall_s"] for s in scaling], "o-", label="cuadra validate --backend pandera (proceso entero)")
    ax.plot(facts, [s["inproc_pandera_s"] for s in scaling], "s-", label="backend Pandera (reglas, en proceso)")
    ax.plot(facts, [s["inproc_evaluator_s"] for s in scaling], "^-", label="evaluador numpy (en proceso)")
    ax.set_xlabel("hechos (1 a 50 ediciones del paquete)")
    ax.set_ylabel("segundos")
    ax.set_title("Tiempo contra número de hechos")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def verdict(key: str, value: float) -> str:
    _, target, direction = TARGETS[key]
    ok = value <= target if direction == "<=" else value >= target
    return "meets" if ok else "misses"


def write_markdown(results: dict[str, object], path: Path, image: Path) -> None:
    v = results["versions"]
    assert isinstance(v, dict)
    lines = [
        "# Benchmarks (`nox -s bench`)",
        "",
        "Generated by `tools/bench.py`; every ratio is against a floor measured in the same run (medians of",
        "alternating fresh processes), because this machine is shared and its absolute speed drifts.",
        "",
        f"- Machine: {results['machine']}",
        f"- Measured: {results['when']}",
        "- Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        "",
        "| what | value | target | |",
        "|---|---|---|---|",
    ]
    for key, (what, target, direction) in TARGETS.items():
        if key in results:
            val = float(results[key])  # type: ignore[arg-type]
            shown = f"{val:,.0f}" if target > 100 else f"{val:.2f}×" if "ratio" in key else f"{val:.2f}"
            lines.append(f"| {what} | {shown} | {direction} {target:,} | {verdict(key, val)} |")
    lines += ["", "Whole-process figures (median wall seconds, CPU seconds, peak RSS):", "",
              "| run | wall s | CPU s | peak MiB | floor | floor wall s | floor peak MiB |",
              "|---|---|---|---|---|---|---|"]
    for prefix, label, floor in (("small_pandera", "11-fact submission, pandera", "import pandera.pandas"),
                                 ("bundle_both", "bundle, both backends", "import pandera.pandas, great_expectations"),
                                 ("gate_both", "gate, BASE dataset", "validate HEAD"),
                                 ("gate_json_both", "gate, BASE findings JSON", "validate HEAD")):
        if f"{prefix}_a_wall_s" in results:
            r = {k[len(prefix) + 1:]: float(val) for k, val in results.items()  # type: ignore[arg-type]
                 if k.startswith(prefix + "_a_") or k.startswith(prefix + "_b_")}
            lines.append(f"| {label} | {r['a_wall_s']:.2f} | {r['a_cpu_s']:.2f} | {r['a_peak_mib']:,.0f} | {floor} | "
                         f"{r['b_wall_s']:.2f} | {r['b_peak_mib']:,.0f} |")
    scaling = results.get("scaling") or []
    assert isinstance(scaling, list)
    if scaling:
        lines += ["", "Scaling: editions of the bundle (`tools/editions.py`: every period shifted by k years), Pandera "
                  "backend:", "",
                  "| editions | facts | instances | validate wall s | peak MiB | load s | evaluator s "
                  "| evaluator CPU s | instances/s (evaluator) | Pandera backend s |", "|---" * 10 + "|"]
        for s in scaling:
            lines.append(f"| {s['editions']} | {s['facts']:,} | {s['instances']:,} | {s['wall_s']:.1f} | "
                         f"{s['peak_mib']:,.0f} | {s['inproc_load_s']:.1f} | {s['inproc_evaluator_s']:.3f} | "
                         f"{s.get('inproc_evaluator_cpu_s', float('nan')):.3f} | "
                         f"{s['inproc_evaluator_instances_per_s']:,.0f} | {s['inproc_pandera_s']:.2f} |")
        lines += ["", f"Evaluator: median of {EVALUATOR_REPEATS} in-process runs (grouping, built-ins, every rule); "
                  "wall seconds give the rate, CPU seconds show how much of the wall the shared machine took."]
        lines += ["", f"![Tiempo contra hechos]({image.relative_to(path.parent).as_posix()})"]
    sizes = sorted(int(k.split("_")[1]) for k in results if k.startswith("memory_") and k.endswith("_peak_mib"))
    if sizes:
        lines += ["", "Peak memory: `cuadra validate --backend pandera --json F` on editions of the bundle (the "
                  "kernel's peak RSS of the process):", "",
                  "| facts asked | facts | instances | wall s | CPU s | peak MiB | target |",
                  "|---|---|---|---|---|---|---|"]
        for n in sizes:
            r = {k[len(f"memory_{n}_"):]: val for k, val in results.items() if k.startswith(f"memory_{n}_")}
            peak = float(r["peak_mib"])  # type: ignore[arg-type]
            goal = MEMORY_TARGETS.get(n)
            shown = (f"< {goal / 1e9:.0f} GB: {'meets' if peak * 2**20 < goal else 'misses'}" if goal else "")
            lines.append(f"| {n:,} | {int(r['facts']):,} | {int(r['instances']):,} | {float(r['wall_s']):.0f} | "  # type: ignore[arg-type]
                         f"{float(r['cpu_s']):.0f} | {peak:,.0f} | {shown} |")  # type: ignore[arg-type]
    lines += ["", "Other measures of this run are in `out/bench.json`.", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description="cuadra benchmarks (issue 17)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="skip the Data Docs and synthetic-table measures")
    ap.add_argument("--editions", type=int, nargs="+", default=[1, 2, 5, 10, 20, 50])
    ap.add_argument("--facts", type=int, action="append", default=[],
                    help="also validate about this many facts and report peak memory (repeatable)")
    ap.add_argument("--synthetic-periods", type=int, default=14_500)
    args = ap.parse_args()
    results: dict[str, object] = {"machine": machine(), "versions": versions(),
                                  "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory(prefix="cuadra-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "CUADRA_CACHE": str(tmp / "cache")}
        results.update(bench_speed(args.repeats, env, tmp, args.editions))
        for n in args.facts:
            results.update(bench_memory(n, env, tmp))
    if not args.quick:
        results.update(bench_synthetic(args.synthetic_periods))
        results.update(bench_docs())
        results.update(bench_gate())
    print()
    for key, (what, target, direction) in TARGETS.items():
        if key in results:
            val = float(results[key])  # type: ignore[arg-type]
            print(f"{what:<95} {val:>12,.2f}  (target {direction} {target:,}: {verdict(key, val)})")
    for k, val in results.items():
        if k.endswith("peak_mib") and not isinstance(val, list):
            print(f"{k:<95} {float(val):>12,.0f} MiB")  # type: ignore[arg-type]
    out = ROOT / "out"
    out.mkdir(exist_ok=True)
    (out / "bench.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    image = ROOT / "docs" / "img" / "bench_scaling.png"
    if results.get("scaling"):
        plot(results["scaling"], image)  # type: ignore[arg-type]
    write_markdown(results, ROOT / "docs" / "bench.md", image)
    print(f"\nwrote out/bench.json and docs/bench.md ({image.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
