"""``cuadra microdatos validar | agregar | sintetico``: the microdata subcommand.

One job: arguments in, exit code out, as ``cuadra validate``: 0 no finding at or above ``--fail-on``,
1 findings, 2 bad input (``file:row:column: what was expected``). Engines are imported only when
used (pyspark is optional).
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path
from typing import Any

from cuadra.errors import CuadraError

__all__ = ["add_parser", "run", "scan_and_digest"]


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    m = sub.add_parser("microdatos", help="IMSS open-data asegurados files: validate, aggregate, synthesise")
    msub = m.add_subparsers(dest="accion", required=True)
    v = msub.add_parser("validar", help="row rules of the data dictionary on each file (docs/microdatos.md)")
    v.add_argument("files", nargs="+", type=Path, metavar="FILE", help="asg-AAAA-MM-DD.csv ('|', latin-1) or .parquet")
    v.add_argument("--motor", choices=("duckdb", "spark", "pandas"), default="duckdb",
                   help="duckdb (default, bounded memory), spark (pyspark; --master), pandas (Pandera, small files)")
    v.add_argument("--master", default="local[2]", help="Spark master URL (with --motor spark)")
    v.add_argument("--json", type=Path, help="findings JSON (the schema of cuadra validate, plus filas/ejemplos)")
    v.add_argument("--junit", type=Path, help="JUnit XML for CI")
    v.add_argument("--docs", type=Path, help="GX Data Docs of the row suite on each file's first --muestra rows "
                   "(GX's Spark data source with --motor spark, a SQLite copy otherwise)")
    v.add_argument("--muestra", type=int, default=100_000, help="rows of each file in the GX sample (--docs)")
    v.add_argument("--fail-on", choices=("error", "warning"), default="error")
    v.add_argument("--quiet", action="store_true")
    a = msub.add_parser("agregar", help="the files' aggregates as facts in the cuadra contract")
    a.add_argument("files", nargs="+", type=Path, metavar="FILE")
    a.add_argument("--out", type=Path, required=True, help="facts file (.csv, .parquet, .json, .xlsx)")
    s = msub.add_parser("sintetico", help="seeded SYNTHETIC rows at the layout (tests, benchmarks; never IMSS data)")
    s.add_argument("--filas", type=int, required=True)
    s.add_argument("--fecha", type=date.fromisoformat, required=True, help="cut-off date AAAA-MM-DD")
    s.add_argument("--out", type=Path, required=True, help="output CSV (its name gets the prefix 'sintetico-')")
    s.add_argument("--fallas", type=int, default=0, help="planted faults, recorded in <out>.sintetico.json")
    s.add_argument("--semilla", type=int, default=20201231)
    s.add_argument("--desfase", type=float, default=0.0,
                   help="relative offset of Σ ta from the reports' figure (a planted mismatch), e.g. 0.01")


def run(args: argparse.Namespace) -> int:
    if args.accion == "validar":
        return _validar(args)
    if args.accion == "agregar":
        return _agregar(args)
    return _sintetico(args)


def _check_files(files: list[Path]) -> None:
    for f in files:
        if not f.is_file():
            raise CuadraError(f"{f}: no existe o no es un archivo")


def scan_and_digest(engine: Any, path: Path, layout: Any, rules: Any, **kw: Any) -> tuple[Any, str]:
    """One file's scan and its SHA-256 (the findings' provenance), the hash read in a thread while the
    engine scans: both read the same file, and hashlib and DuckDB let go of the GIL while they work."""
    from concurrent.futures import ThreadPoolExecutor

    from cuadra.digest import file_sha256

    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(file_sha256, path)
        scan = engine.scan(path, layout, rules, **kw)
        return scan, digest.result()


def _validar(args: argparse.Namespace) -> int:
    from rich.console import Console

    from cuadra.cli import _progress
    from cuadra.microdata.layout import file_date, load_layout, row_rules
    from cuadra.microdata.report import build_run

    _check_files(args.files)
    started = time.time()
    layout = load_layout()
    if args.motor == "spark":
        from cuadra.microdata.engines import spark as engine
    elif args.motor == "pandas":
        from cuadra.microdata.engines import pandas as engine  # type: ignore[no-redef]
    else:
        from cuadra.microdata.engines import duckdb as engine  # type: ignore[no-redef]
    scans, digests = [], []
    with _progress(args.quiet) as progress:
        for i, f in enumerate(args.files):
            progress("archivos", i, len(args.files))
            kw = {"master": args.master} if args.motor == "spark" else {}
            scan, digest = scan_and_digest(engine, f, layout, row_rules(file_date(f), layout), progress=progress, **kw)
            scans.append(scan)
            digests.append(digest)
        progress("archivos", len(args.files), len(args.files))
    run = build_run(scans, started=started, digests=digests, engine=args.motor)
    if args.json:
        from cuadra.report.machine import write_json

        write_json(run, args.json)
    if args.junit:
        from cuadra.report.machine import write_junit

        write_junit(run, args.junit, args.fail_on)
    if args.docs:
        from cuadra.microdata.gx import build_docs

        build_docs(args.files, args.docs, sample=args.muestra, motor=args.motor, master=args.master)
    if not args.quiet:
        from cuadra.report.terminal import print_summary

        out = Console() if Console().is_terminal else Console(width=160)
        print_summary(run, out, fail_on=args.fail_on)
    return 1 if run.fails(args.fail_on) else 0


def _agregar(args: argparse.Namespace) -> int:
    from cuadra.microdata.aggregate import aggregate_facts

    _check_files(args.files)
    facts = aggregate_facts(args.files)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    suffix = args.out.suffix.lower()
    if suffix == ".csv":
        facts.to_csv(args.out, index=False, encoding="utf-8")
    elif suffix == ".parquet":
        facts.to_parquet(args.out, index=False)
    elif suffix == ".json":
        facts.to_json(args.out, orient="records", force_ascii=False, indent=1)
    elif suffix == ".xlsx":
        facts.to_excel(args.out, index=False)
    else:
        raise CuadraError(f"{args.out}: --out debe ser .csv, .parquet, .json o .xlsx")
    print(f"{len(facts)} hechos en {args.out}")
    return 0


def _sintetico(args: argparse.Namespace) -> int:
    from cuadra.microdata.synthetic import sidecar_path, write_synthetic

    side = write_synthetic(args.out, filas=args.filas, fecha=args.fecha, fallas=args.fallas, semilla=args.semilla,
                           desfase=args.desfase)
    out = args.out.parent / str(side["archivo"])
    print(f"SINTÉTICO (no son datos del IMSS): {out} ({args.filas:,} filas, {len(side['fallas'])} fallas "  # type: ignore[arg-type]
          f"plantadas); detalle en {sidecar_path(out)}")
    return 0
