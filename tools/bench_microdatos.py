"""Microdata speed (issue 18): `validar` on DuckDB against a bare DuckDB scan of the same file.

For each size, a seeded SYNTHETIC asegurados file (calibrated December 2020, no faults) is written
once under out/bench_microdatos/, then timed side by side:
  - bare scan: DuckDB reads the CSV with its own type detection and computes COUNT(*) and the sum
    of every measure (the least any validation must do);
  - validar: cuadra's DuckDB engine (every row rule, typed view, sums), the clean-file path.
The ratio validar / bare is the figure issue 18 bounds (<= 3). Spark (local[2], one machine) is timed
on the sizes given to --spark. Writes docs/bench_microdatos.md and docs/bench_microdatos.png.

    python tools/bench_microdatos.py                      # 10 k, 100 k, 1 M rows
    nice python tools/bench_microdatos.py --filas 10000 100000 1000000 5000000 20000000 --spark 1000000
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cuadra.microdata.engines import duckdb as engine  # noqa: E402
from cuadra.microdata.layout import MEASURES, file_date, load_layout, row_rules  # noqa: E402
from cuadra.microdata.synthetic import sidecar_path, write_synthetic  # noqa: E402

FECHA = date(2020, 12, 31)


def _file(size: int, folder: Path) -> Path:
    path = folder / f"sintetico-asg-{size}-2020-12-31.csv"
    if not sidecar_path(path).exists():  # the sidecar is written last: without it the file is partial
        write_synthetic(path, filas=size, fecha=FECHA, semilla=size)
    return path


def _bare(path: Path) -> float:
    con = engine.connect()
    try:
        src = (f"read_csv('{path}', delim='|', header=true, encoding='latin-1')")
        sums = ", ".join(f'SUM("{m}")' for m in MEASURES)
        t = time.perf_counter()
        con.sql(f"SELECT COUNT(*), {sums} FROM {src}").fetchone()
        return time.perf_counter() - t
    finally:
        con.close()


def _validar(path: Path) -> float:
    layout = load_layout()
    rules = row_rules(file_date(path), layout)
    t = time.perf_counter()
    scan = engine.scan(path, layout, rules)
    dt = time.perf_counter() - t
    assert not any(o.filas for o in scan.outcomes), "a clean synthetic file must pass"
    return dt


def _spark(path: Path) -> tuple[float, float]:
    from cuadra.microdata.engines import spark

    t = time.perf_counter()
    spark.session("local[2]")
    start = time.perf_counter() - t
    layout = load_layout()
    t = time.perf_counter()
    spark.scan(path, layout, row_rules(file_date(path), layout))
    return start, time.perf_counter() - t


def _side_by_side(path: Path, repeat: int) -> tuple[float, float]:
    """Medians of bare and validar, run alternately: a shared machine's load hits both alike."""
    bare, val = [], []
    for _ in range(repeat):
        bare.append(_bare(path))
        val.append(_validar(path))
    return statistics.median(bare), statistics.median(val)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--filas", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--spark", type=int, nargs="*", default=[], help="sizes also timed on Spark local[2]")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "bench_microdatos.md")
    ap.add_argument("--datos", type=Path, default=ROOT / "out" / "bench_microdatos")
    args = ap.parse_args(argv)
    args.datos.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.filas:
        path = _file(size, args.datos)
        repeat = 5 if size <= 1_000_000 else 3
        _bare(path)  # warm the page cache: both sides then read from memory
        bare, val = _side_by_side(path, repeat)
        sp = _spark(path) if size in args.spark else None
        rows.append((size, path.stat().st_size, bare, val, sp))
        print(f"{size:>11,} filas  bare {bare:7.2f} s  validar {val:7.2f} s  ratio {val / bare:4.2f}"
              + (f"  spark {sp[1]:.2f} s (+{sp[0]:.1f} s arranque)" if sp else ""), flush=True)
        _write(rows, args.out)  # after every size: a long run interrupted keeps what it measured
    return 0


def _write(rows: list, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    png = out.with_suffix(".png")
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    ax.plot([r[0] for r in rows], [r[0] / r[3] for r in rows], "o-", label="validar (DuckDB)")
    ax.plot([r[0] for r in rows], [r[0] / r[2] for r in rows], "s--", label="lectura simple (DuckDB)")
    sp = [r for r in rows if r[4]]
    if sp:
        ax.plot([r[0] for r in sp], [r[0] / r[4][1] for r in sp], "^", label="validar (Spark local[2])")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("filas del archivo")
    ax.set_ylabel("filas por segundo")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    lines = [
        "# Microdatos: velocidad de `cuadra microdatos validar` (issue 18)", "",
        "Generated by `tools/bench_microdatos.py` (also run by `nox -s bench`). Files are SYNTHETIC",
        "(`cuadra microdatos sintetico`, calibrated to December 2020, no faults), never IMSS data.",
        f"Machine: {platform.machine()}, {platform.system()}, 2 shared cores, one process; DuckDB memory limit "
        f"{engine.MEMORY_LIMIT}. The file is read once before timing (page cache warm for both sides); bare and "
        "validar then run alternately (5 times up to 1 M rows, 3 above) and the medians are shown.", "",
        "**bare** = DuckDB `COUNT(*)` and the sum of the 17 measures, with DuckDB's own type detection; "
        "**validar** = every row rule (91 rules, type checks included) plus the same sums; "
        "**ratio** = validar / bare (issue 18 bounds it by 3).", "",
        "| filas | MB | bare (s) | validar (s) | ratio | filas/s validar | Spark local[2] (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, nbytes, bare, val, sp in rows:
        spark = f"{sp[1]:.2f} (+{sp[0]:.1f} arranque)" if sp else "—"
        lines.append(f"| {size:,} | {nbytes / 1e6:,.0f} | {bare:.2f} | {val:.2f} | {val / bare:.2f} | "
                     f"{size / val:,.0f} | {spark} |")
    lines += ["", f"![filas por segundo]({png.name})", "",
              "Spark runs on `local[2]` on this same 2-core machine: it shows the engine works and what one "
              "machine costs, not what a cluster would do.", ""]
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
