"""``cuadra extraer TEXT... --out candidatos.csv``: the command around the extractor.

One job: arguments in, two CSV files out (candidates, and the numbers that are not figures), with a
one-line summary; every misuse is a clear line and exit 2, raised as ``InputError`` for the CLI.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cuadra.contract.registry import load_registry
from cuadra.engine import project_paths
from cuadra.errors import InputError
from cuadra.extract.candidates import Candidate, NonFigure, extract_lines, write_candidates, write_nonfigures
from cuadra.extract.suggest import Suggester, entries_from_registry
from cuadra.extract.text import read_document

__all__ = ["run_extraer"]


def _suggester(args: argparse.Namespace) -> Suggester:
    ws = args.workspace
    given = [*ws.concepts, *(args.concepts or [])]
    for p in given:
        if not p.is_file():
            raise InputError(str(p), None, None, "no such concept registry (given as --concepts)")
    solo = args.solo or ws.solo
    if solo and not given:
        raise InputError("--solo", None, None, "--solo suggests only from the given registries: add --concepts FILE")
    paths = given if solo else [*project_paths().registry, *given]
    return Suggester(entries_from_registry(load_registry(paths).concepts))


def run_extraer(args: argparse.Namespace) -> int:
    if args.source and len(args.texts) > 1:
        raise InputError("--source", None, None, "--source names one document: give one TEXT per run, or leave it "
                                                 "out to use each file's name")
    for text in args.texts:  # say a wrong path before the registry is read
        if not text.is_file():
            raise InputError(str(text), None, None, "no such file: give a .txt or .pdf release")
    suggester = _suggester(args)
    candidates: list[Candidate] = []
    others: list[NonFigure] = []
    for text in args.texts:
        c, o = extract_lines(read_document(text), args.source or text.name, suggester)
        candidates += c
        others += o
    out: Path = args.out
    rest: Path = args.no_cifras or out.with_name(out.stem + ".no_cifras.csv")
    write_candidates(candidates, out)
    write_nonfigures(others, rest)
    if not args.quiet:
        named = sum(1 for c in candidates if c.concept)
        print(f"{len(candidates)} cifras candidatas ({named} con concepto sugerido) → {out}; "
              f"{len(others)} números que no son cifras → {rest}")
    return 0
