"""Microdata speed (issue 18): `validar` on DuckDB against a bare DuckDB scan of the same file.

For each size, a seeded SYNTHETIC asegurados file (calibrated December 2020, no faults) is written
once under out/bench_microdatos/, then timed side by side:
  - bare scan: DuckDB reads the CSV with its own type detection and computes COUNT(*) and the sum
    of every measure (the least any validation must do);
  - validar: cuadra's DuckDB engine (every row rule, typed view, sums), the clean-file path.
The ratio validar / bare is the figure issue 18 bounds (<= 3). Spark (local[2], one machine) is timed
once on the sizes given to --spark. Writes docs/bench_microdatos.md and .png, keeps every size's last
measurement in docs/bench_microdatos.json (a run of the default sizes keeps the 5 M and 20 M rows
measured before, each with its date), and writes the microdata block of docs/bench.md (replaced in
place, or appended after tools/bench.py has rewritten that page).

    python tools/bench_microdatos.py                      # 10 k, 100 k, 1 M rows
    nice python tools/bench_microdatos.py --filas 5000000 20000000 --spark 10000 1000000 --borrar
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.microdata.cli import scan_and_digest  # noqa: E402
from cuadra.microdata.engines import duckdb as engine  # noqa: E402
from cuadra.microdata.layout import MEASURES, file_date, load_layout, row_rules  # noqa: E402
from cuadra.microdata.synthetic import sidecar_path, write_synthetic  # noqa: E402

FECHA = date(2020, 12, 31)
BEGIN, END = "<!-- microdatos: tools/bench_microdatos.py -->", "<!-- /microdatos -->"


def _file(size: int, folder: Path) -> Path:
    path = folder / f"sintetico-asg-{size}-2020-12-31.csv"
    if not sidecar_path(path).exists():  # the sidecar is written last: without it the file is partial
        write_synthetic(path, filas=size, fecha=FECHA, semilla=size)
    return path


def _bare(path: Path) -> tuple[float, float]:
    """The floor: DuckDB reads the same file (its own type detection) and computes COUNT(*) and the
    sum of every measure, the least any validation of the file must do. Wall and CPU seconds."""
    con = engine.connect()
    try:
        src = (f"read_csv('{path}', delim='|', header=true, encoding='latin-1')")
        sums = ", ".join(f'SUM("{m}")' for m in MEASURES)
        c, t = _cpu(), time.perf_counter()
        con.sql(f"SELECT COUNT(*), {sums} FROM {src}").fetchone()
        return time.perf_counter() - t, _cpu() - c
    finally:
        con.close()


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)  # every DuckDB and hashing thread of this process
    return r.ru_utime + r.ru_stime


def _validar(path: Path) -> tuple[float, float, str]:
    """What `cuadra microdatos validar` does per file on DuckDB (the CLI's own function): every rule
    counted, the sums, examples of failing rules (none on a clean file) and the file's SHA-256."""
    layout = load_layout()
    rules = row_rules(file_date(path), layout)
    c, t = _cpu(), time.perf_counter()
    scan, _ = scan_and_digest(engine, path, layout, rules)
    dt, dc = time.perf_counter() - t, _cpu() - c
    assert not any(o.filas for o in scan.outcomes), "a clean synthetic file must pass"
    return dt, dc, scan.lectura


def _spark(path: Path) -> tuple[float, float]:
    from cuadra.microdata.engines import spark

    t = time.perf_counter()
    spark.session("local[2]")
    start = time.perf_counter() - t
    layout = load_layout()
    t = time.perf_counter()
    spark.scan(path, layout, row_rules(file_date(path), layout))
    return start, time.perf_counter() - t


def _side_by_side(path: Path, repeat: int) -> dict[str, object]:
    """Medians of bare and validar, run alternately: a shared machine's load hits both alike. CPU
    seconds beside wall seconds: the work done, which other jobs on the machine do not inflate."""
    runs = []
    for _ in range(repeat):
        runs.append((*_bare(path), *_validar(path)))
    med = [statistics.median(r[i] for r in runs) for i in range(4)]
    return {"bare": round(med[0], 3), "bare_cpu": round(med[1], 3), "validar": round(med[2], 3),
            "validar_cpu": round(med[3], 3), "lectura": runs[-1][4], "repeticiones": repeat}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--filas", type=int, nargs="*", default=[10_000, 100_000, 1_000_000],
                    help="sizes timed on DuckDB beside the bare scan (none: only --spark)")
    ap.add_argument("--spark", type=int, nargs="*", default=[], help="sizes also timed once on Spark local[2]")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "bench_microdatos.md")
    ap.add_argument("--datos", type=Path, default=ROOT / "out" / "bench_microdatos")
    ap.add_argument("--borrar", action="store_true", help="delete each synthetic file once measured")
    args = ap.parse_args(argv)
    args.datos.mkdir(parents=True, exist_ok=True)
    store = args.out.with_suffix(".json")
    rows = {r["filas"]: r for r in (json.loads(store.read_text(encoding="utf-8")) if store.exists() else [])}
    for size in sorted(set(args.filas) | set(args.spark)):
        path = _file(size, args.datos)
        row = dict(rows.get(size, {}), filas=size, mb=round(path.stat().st_size / 1e6, 1))
        if size in args.filas:
            _bare(path)  # warm the page cache: both sides then read from memory (as far as it holds)
            row.update(_side_by_side(path, 5 if size <= 1_000_000 else 3),
                       medido=datetime.now(UTC).strftime("%Y-%m-%d"))
            print(f"{size:>11,} filas  bare {row['bare']:7.2f} s  validar {row['validar']:7.2f} s  ratio "
                  f"{row['validar'] / row['bare']:4.2f}  (CPU {row['validar_cpu'] / row['bare_cpu']:4.2f})", flush=True)
        if size in args.spark:
            start, dt = _spark(path)
            row.update(spark=round(dt, 2), spark_arranque=round(start, 1),
                       spark_medido=datetime.now(UTC).strftime("%Y-%m-%d"))
            print(f"{size:>11,} filas  spark local[2] {dt:.2f} s (+{start:.1f} s arranque)", flush=True)
        rows[size] = row
        if args.borrar:
            path.unlink()
            from cuadra.microdata.synthetic import sidecar_path as side

            side(path).unlink(missing_ok=True)
        ordered = [rows[k] for k in sorted(rows)]
        store.write_text(json.dumps(ordered, indent=1) + "\n", encoding="utf-8")
        _write(ordered, args.out)  # after every size: a long run interrupted keeps what it measured
        _bench_block(ordered, ROOT / "docs" / "bench.md", args.out)
    return 0


def _plot(rows: list[dict], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    duck = [r for r in rows if "validar" in r]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot([r["filas"] for r in duck], [r["filas"] / r["validar"] for r in duck], "o-", label="validar (DuckDB)")
    ax.plot([r["filas"] for r in duck], [r["filas"] / r["bare"] for r in duck], "s--",
            label="lectura simple (DuckDB)")
    sp = [r for r in rows if "spark" in r]
    if sp:
        ax.plot([r["filas"] for r in sp], [r["filas"] / r["spark"] for r in sp], "^",
                label="validar (Spark local[2], 1 máquina)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("filas del archivo")
    ax.set_ylabel("filas por segundo")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def _table(rows: list[dict]) -> list[str]:
    lines = ["| filas | MB | bare (s) | validar (s) | ratio | ratio CPU | filas/s validar | lectura | runs "
             "| Spark local[2] (s) | medido |",
             "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]
    for r in rows:
        duck = "— | — | — | — | — | — | —"
        if "validar" in r:
            cpu = f"{r['validar_cpu'] / r['bare_cpu']:.2f}" if r.get("bare_cpu") else "—"
            duck = (f"{r['bare']:.2f} | {r['validar']:.2f} | **{r['validar'] / r['bare']:.2f}** | {cpu} | "
                    f"{r['filas'] / r['validar']:,.0f} | {r.get('lectura', '')} | {r.get('repeticiones', '')}")
        spark = "—"
        if "spark" in r:  # the session starts once per process: later sizes show no start-up
            start = f" (+{r['spark_arranque']:.0f} arranque)" if r["spark_arranque"] >= 1 else ""
            spark = f"{r['spark']:.1f}{start}"
        when = r.get("medido") or r.get("spark_medido", "")
        lines.append(f"| {r['filas']:,} | {r['mb']:,.0f} | {duck} | {spark} | {when} |")
    return lines


def _write(rows: list[dict], out: Path) -> None:
    png = out.with_suffix(".png")
    _plot(rows, png)
    lines = [
        "# Microdatos: velocidad de `cuadra microdatos validar` (issue 18)", "",
        "Generated by `tools/bench_microdatos.py` (also run by `nox -s bench`, 10 k to 1 M rows; the larger sizes "
        "are kept from their last run, see `medido`). Files are SYNTHETIC (`cuadra microdatos sintetico`, "
        "calibrated to December 2020, no faults), never IMSS data.",
        f"Machine: {platform.machine()}, {platform.system()}, 2 cores shared with other jobs, one process; DuckDB "
        f"memory limit {engine.MEMORY_LIMIT}. The file is read once before timing; bare and validar then run "
        "alternately (`runs` times: 5 up to 1 M rows, 3 above) and the medians are shown. Absolute seconds move "
        "with the machine's load; the ratio, taken side by side, is the figure to read, and **ratio CPU** (the "
        "process's CPU seconds, all threads) is the same comparison of work done, which other jobs on the "
        "machine do not inflate.", "",
        "**bare** = DuckDB `COUNT(*)` and the sum of the 17 measures, DuckDB's own type detection; "
        "**validar** = what `cuadra microdatos validar` does per file on DuckDB: every row rule (91 for 2020, "
        "type checks included), the same sums, examples of failing rules (none here) and the file's SHA-256 "
        "(read in a thread beside the scan, as the command does); "
        "**ratio** = validar / bare (issue 18 bounds it by 3); **lectura** = how the counting pass read the CSV "
        "(`tipos`: once, with the layout's types; `texto`: as text, taken when a cell does not parse).", "",
        *_table(rows),
        "", f"![filas por segundo]({png.name})", "",
        "Spark runs once per size on `local[2]` on this same 2-core machine, with the Pandera pyspark cross-check "
        "(one Spark job per column check): it shows that the engine works and what one machine costs, not what a "
        "cluster would do. `arranque` is the SparkSession start, paid once per process.", ""]
    out.write_text("\n".join(lines), encoding="utf-8")


def _bench_block(rows: list[dict], bench_md: Path, page: Path) -> None:
    """The microdata section of docs/bench.md, between markers: replaced in place, or appended (nox -s
    bench runs tools/bench.py first, which rewrites that page without it)."""
    duck = [r for r in rows if "validar" in r]
    worst = max(duck, key=lambda r: r["validar"] / r["bare"]) if duck else None
    block = [BEGIN, "", "## Microdatos (issue 18): `cuadra microdatos validar` on DuckDB", "",
             f"validar / bare DuckDB scan of the same synthetic file, side by side, {duck[0]['filas']:,} to "
             f"{duck[-1]['filas']:,} rows: highest ratio **{worst['validar'] / worst['bare']:.2f}** "
             f"at {worst['filas']:,} rows (bound: 3). Detail, method and the Spark figures: "
             f"[{page.name}]({page.name}).", "",
             *_table(rows), "", f"![filas por segundo]({page.with_suffix('.png').name})", "", END] if worst else []
    text = bench_md.read_text(encoding="utf-8") if bench_md.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + "\n".join(block) + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(block) + "\n"
    bench_md.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
