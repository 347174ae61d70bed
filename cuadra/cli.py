"""The command line: ``cuadra validate PATH`` and ``cuadra gate BASE HEAD``.

One job: arguments in, exit code out. 0 clean, 1 findings at or above ``--fail-on``, 2 bad input
(every contract or rule error printed as ``file:row:column: what was expected``, never a
traceback), 3 an internal error of cuadra (one line; the traceback with ``CUADRA_DEBUG=1``), 130
interrupted (Ctrl-C). Progress goes to stderr so that stdout stays a clean report.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from cuadra import __version__
from cuadra.allocator import return_freed_memory
from cuadra.contract.readers import dataset_files
from cuadra.engine import BACKENDS, ROOT, Project, project_paths, validate
from cuadra.errors import CuadraError, InputError, InputErrors
from cuadra.escape import one_line
from cuadra.limits import Limits, current, parse_count, parse_size, use
from cuadra.workspace import Workspace, find_workspace, read_workspace

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["main"]


def _project_options(parser: argparse.ArgumentParser) -> None:
    """Where the catalogue, registry and waivers come from: the same for every command."""
    parser.add_argument("--rules", type=Path, action="append",
                        help="rule file or folder, added to the bundled catalogue (repeatable)")
    parser.add_argument("--concepts", type=Path, action="append",
                        help="concept registry file, added to the bundled registry (repeatable)")
    parser.add_argument("--waivers", type=Path, action="append",
                        help="waiver register, added to fixtures/waivers.yaml (repeatable)")
    parser.add_argument("--solo", action="store_true",
                        help="use only the given --rules/--concepts/--waivers: nothing bundled")
    parser.add_argument("--fuentes", type=Path, action="append",
                        help="folder with the documents' texts, for the Data Docs (repeatable)")
    parser.add_argument("--config", type=Path,
                        help="workspace file (default: ./cuadra.toml when present; see cuadra init)")
    parser.add_argument("--reference", type=Path, action="append",
                        help="reference table file or folder read beside the dataset (repeatable; default: "
                             "fixtures/reference/, INEGI's INPC)")
    parser.add_argument("--no-reference", action="store_true",
                        help="read no reference table (rules that compare against one become indeterminate)")
    _limit_options(parser)


def _limit_options(parser: argparse.ArgumentParser) -> None:
    """How much input is read before it is refused (README "Limits"); env CUADRA_MAX_BYTES / _ROWS."""
    parser.add_argument("--max-bytes", metavar="SIZE", help="largest dataset file read, e.g. 2G (default 1G)")
    parser.add_argument("--max-rows", metavar="N", help="most facts read from one dataset (default 5000000)")


def _limits(args: argparse.Namespace) -> Limits:
    try:
        lim = current()  # installed by a caller (tests), else CUADRA_MAX_BYTES / CUADRA_MAX_ROWS, else defaults
        if getattr(args, "max_bytes", None):
            n = parse_size(args.max_bytes)  # an XLSX may then inflate as far as a file may weigh
            lim = Limits(**{**lim.__dict__, "max_bytes": n, "max_xlsx_bytes": max(lim.max_xlsx_bytes, n)})
        if getattr(args, "max_rows", None):
            lim = Limits(**{**lim.__dict__, "max_rows": parse_count(args.max_rows)})
    except ValueError as exc:
        raise CuadraError(f"--max-bytes / --max-rows / CUADRA_MAX_BYTES / CUADRA_MAX_ROWS: {exc}") from None
    return lim


def _site(docs: Path | None) -> AbstractContextManager[Path | None]:
    """Build the Data Docs in a temporary folder swapped in at the end (never a half-written site)."""
    from cuadra.atomic import atomic_dir

    return atomic_dir(docs) if docs else nullcontext(None)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cuadra", description="Valida que las cifras del IMSS cuadren.")
    p.add_argument("--version", action="version", version=f"cuadra {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="validate a facts dataset (file or folder)")
    v.add_argument("path", nargs="?", type=Path, default=None,
                   help="CSV/XLSX/Parquet/JSON file or folder (default: cuadra.toml's dataset, else the "
                        "bundled IMSS reports)")
    v.add_argument("--backend", choices=BACKENDS, default="both")
    v.add_argument("--json", type=Path, help="write every rule instance as JSON (README: Findings JSON)")
    v.add_argument("--junit", type=Path, help="write JUnit XML for CI")
    v.add_argument("--docs", type=Path, help="write the HTML Data Docs into this folder")
    v.add_argument("--fail-on", choices=("error", "warning"), default="error")
    _project_options(v)
    v.add_argument("--quiet", action="store_true", help="no progress bar, no table")
    g = sub.add_parser("gate", help="compare two versions of a dataset: only new findings block (docs/gate.md)")
    g.add_argument("base", type=Path, help="BASE: a dataset (file or folder) or a findings JSON from validate --json")
    g.add_argument("head", type=Path, help="HEAD: a dataset (file or folder)")
    g.add_argument("--json", type=Path, help="write the gate JSON (docs/gate.md)")
    g.add_argument("--junit", type=Path, help="write JUnit XML for CI: new findings are failures")
    g.add_argument("--markdown", type=Path, help="write a summary for a pull-request comment / CI job summary")
    g.add_argument("--docs", type=Path, help="write HEAD's HTML Data Docs into this folder")
    g.add_argument("--fail-on", choices=("error", "warning"), default="error")
    g.add_argument("--backend", choices=BACKENDS, default="both", help="HEAD's backends (BASE: numpy evaluator)")
    g.add_argument("--accept-lost", action="append", default=[], metavar="RULE[:KEY]",
                   help="accept the lost checks of RULE (or of one instance KEY; fnmatch patterns, repeatable): "
                        "a deliberate removal; they are listed, not blocking (docs/gate.md)")
    _project_options(g)
    g.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    x = sub.add_parser("extraer", help="propose candidate facts from a report's text or PDF (docs/tutorial.md)")
    x.add_argument("texts", nargs="+", type=Path, help="release text (.txt) or PDF (.pdf; needs cuadra[pdf])")
    x.add_argument("--out", type=Path, required=True, help="candidates CSV (the data contract's columns)")
    x.add_argument("--no-cifras", type=Path,
                   help="numbers that are not figures, with the reason (default: beside --out, *.no_cifras.csv)")
    x.add_argument("--source", help="document name or URL for the source column (default: the file name; "
                                    "only with one TEXT)")
    x.add_argument("--concepts", type=Path, action="append",
                   help="concept registry to suggest from, added to the bundled one (repeatable)")
    x.add_argument("--solo", action="store_true", help="suggest only from the given --concepts")
    x.add_argument("--config", type=Path, help="workspace file (default: ./cuadra.toml when present)")
    x.add_argument("--quiet", action="store_true", help="no summary line")
    i = sub.add_parser("init", help="scaffold a steward's workspace: cuadra.toml, concepts, rules, waivers, CI")
    i.add_argument("dir", type=Path, help="folder to create (may exist if empty)")
    i.add_argument("--force", action="store_true", help="write into a folder that is not empty (never overwrites)")
    from cuadra.microdata.cli import add_parser as _microdatos_parser  # issue 18: docs/microdatos.md

    _microdatos_parser(sub)
    return p


def _given(kind: str, paths: Sequence[Path]) -> list[Path]:
    """Paths a steward named, each checked to exist (a typo must not silently drop a file)."""
    for p in paths:
        if not p.exists():
            raise InputError(str(p), None, None, f"no such file or folder (given as {kind})")
    return list(paths)


def _project(args: argparse.Namespace) -> Project:
    """Bundled catalogue, registry and waivers plus the steward's own (issue 14: extend, never replace)."""
    base = project_paths()
    ws: Workspace = args.workspace
    solo = args.solo or ws.solo
    rule_paths = _given("--rules", [*ws.rules, *(args.rules or [])])
    own_rules = tuple(q for r in rule_paths for q in (sorted(r.glob("*.yaml")) if r.is_dir() else [r]))
    concepts = tuple(_given("--concepts", [*ws.concepts, *(args.concepts or [])]))
    waivers = tuple(_given("--waivers", [*ws.waivers, *(args.waivers or [])]))
    if solo and not concepts:
        raise InputError("--solo", None, None, "--solo uses only the given files: name a concept registry "
                                               "with --concepts FILE (or concepts = [...] in cuadra.toml)")
    reference = () if solo else base.reference
    given_ref = [*ws.reference, *(args.reference or [])]
    if args.no_reference:
        reference = ()
    elif given_ref:
        reference = tuple(q for r in _given("--reference", given_ref) for q in dataset_files(r))
    # Templates beside the steward's rules (DIR/plantillas/*.yaml) extend the bundled ones (issue 13).
    own_templates = tuple(q for r in rule_paths if r.is_dir() for q in sorted((r / "plantillas").glob("*.yaml")))
    return Project(rules=own_rules if solo else (*base.rules, *own_rules),
                   registry=concepts if solo else (*base.registry, *concepts),
                   waivers=None if solo else base.waivers, reference=reference, extra_waivers=waivers,
                   templates=own_templates if solo else (*base.templates, *own_templates))


def _sources(args: argparse.Namespace) -> tuple[Path, ...]:
    """Where the Data Docs look for document texts: the bundled ones and the steward's folders."""
    from expectations.docs import DEFAULT_SOURCES

    return (*DEFAULT_SOURCES, *_given("--fuentes", [*args.workspace.fuentes, *(args.fuentes or [])]))


@contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar per stage on stderr (only on a terminal), for every long command.

    rich is imported only when a bar is drawn: a quiet or piped run (a hook, CI) skips its import
    (issue 17, start-up time).
    """
    if quiet or not sys.stderr.isatty():
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    err = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, disable=quiet or not err.is_terminal, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


def _validate(args: argparse.Namespace) -> int:
    sources = _sources(args) if args.docs else ()  # a wrong --fuentes is said before the run, not after
    project = _project(args)
    with _site(args.docs) as docs, _progress(args.quiet) as progress:
        run, facts, rules, registry = validate(args.path, backend=args.backend, project=project,
                                               docs_dir=docs, progress=progress)
        if docs is not None:
            from expectations.docs import build_site

            build_site(run, docs, registry=registry, rules=rules, sources_dir=sources, project=project,
                       facts=facts, command=["cuadra", *args.argv], fail_on=args.fail_on)
    with _progress(args.quiet) as progress:  # a million instances take a while to write
        if args.json:
            from cuadra.report.machine import write_json

            write_json(run, args.json, progress=lambda d, n: progress("escribiendo JSON", d, n))
        if args.junit:
            from cuadra.report.machine import write_junit

            write_junit(run, args.junit, args.fail_on)
    written: list[tuple[str, Path | str]] = [(w, p) for w, p in (("JSON", args.json), ("JUnit", args.junit)) if p]
    if args.docs:
        written.append(("Data Docs", args.docs / "index.html"))
        if (args.docs / "gx" / "index.html").exists():
            written.append(("Data Docs de GX", args.docs / "gx" / "index.html"))
    if not args.quiet:
        # rich only when something is printed (issue 17: a quiet hook or CI run skips its import).
        from cuadra.report.terminal import print_summary

        print_summary(run, _console(), fail_on=args.fail_on, written=written)
    return 1 if run.fails(args.fail_on) else 0


def _gate(args: argparse.Namespace) -> int:
    """`cuadra gate BASE HEAD`: exit 1 only when HEAD adds a finding, or loses a check, at or above --fail-on."""
    from cuadra.gate import run_gate
    from cuadra.gate.machine import write_gate_json, write_gate_junit
    from cuadra.gate.markdown import render_markdown

    try:
        sources = _sources(args) if args.docs else ()
        with _site(args.docs) as docs, _progress(args.quiet) as progress:
            result = run_gate(args.base, args.head, project=_project(args), backend=args.backend,
                              fail_on=args.fail_on, docs_dir=docs, progress=progress,
                              accept_lost_patterns=args.accept_lost)
            if docs is not None:
                from expectations.docs import build_site

                build_site(result.run, docs, registry=result.registry, rules=result.rules, sources_dir=sources,
                           project=_project(args), command=["cuadra", *args.argv], fail_on=args.fail_on)
    except (CuadraError, OSError) as exc:
        _gate_invalid(args, exc)
        raise  # main() prints the messages and returns 2
    written: list[tuple[str, Path | str]] = []
    if args.json:
        write_gate_json(result, args.json)
        written.append(("JSON del gate", args.json))
    if args.junit:
        write_gate_junit(result, args.junit)
        written.append(("JUnit", args.junit))
    if args.markdown:
        from cuadra.atomic import write_text_atomic

        write_text_atomic(args.markdown, render_markdown(result))
        written.append(("Markdown", args.markdown))
    if args.docs:
        written.append(("Data Docs de HEAD", args.docs / "index.html"))
    if not args.quiet:
        from cuadra.gate.terminal import print_gate

        print_gate(result, _console(), written=written)
    return result.exit_code


def _workspace(args: argparse.Namespace) -> Workspace:
    """The workspace file, read once here and passed down as a value (DESIGN.md, "Workspace")."""
    config = getattr(args, "config", None)
    if config is not None and not config.is_file():
        raise InputError(str(config), None, None, "no such workspace file (create one with: cuadra init DIR)")
    path = config or find_workspace(Path.cwd())
    return read_workspace(path) if path else Workspace(root=Path.cwd())


def _console() -> Console:
    from rich.console import Console

    return Console() if Console().is_terminal else Console(width=160)  # logs and CI: wide, not 80 columns


def _messages(exc: BaseException) -> list[str]:
    if isinstance(exc, InputErrors):
        return [str(e) for e in exc.errors]
    if isinstance(exc, OSError) and not isinstance(exc, CuadraError):
        return [f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}"]
    return [str(exc)]


def _gate_invalid(args: argparse.Namespace, exc: BaseException) -> None:
    """Bad input: still write the Markdown, JSON and JUnit asked for, saying so, so CI can post them."""
    from cuadra.atomic import write_text_atomic
    from cuadra.gate.machine import write_invalid_json, write_invalid_junit
    from cuadra.gate.markdown import render_invalid

    messages = _messages(exc)
    if args.markdown:
        write_text_atomic(args.markdown, render_invalid(str(args.base), str(args.head), messages))
    if args.json:
        write_invalid_json(str(args.base), str(args.head), args.fail_on, messages, args.json)
    if args.junit:
        write_invalid_junit(messages, args.junit)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return_freed_memory()  # a run's peak RSS is the point on millions of facts (cuadra/allocator.py)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # the manifest records the command line
    try:
        args.workspace = _workspace(args)
        with use(_limits(args)):
            if args.command == "validate":
                if args.path is None:
                    args.path = args.workspace.dataset or ROOT / "fixtures" / "reports"
                return _validate(args)
            if args.command == "gate":
                return _gate(args)
            if args.command == "extraer":
                from cuadra.extract.command import run_extraer

                return run_extraer(args)
            if args.command == "init":
                from cuadra.scaffold import init_workspace

                return init_workspace(args.dir, force=args.force)
            if args.command == "microdatos":
                from cuadra.microdata.cli import run as _microdatos

                return _microdatos(args)
    except KeyboardInterrupt:
        print("cuadra: interrumpido (Ctrl-C); no se escribió ninguna salida a medias", file=sys.stderr)
        return 130
    except InputErrors as exc:
        for e in exc.errors[:200]:
            print(one_line(str(e)), file=sys.stderr)
        if len(exc.errors) > 200:
            print(f"… and {len(exc.errors) - 200} more errors", file=sys.stderr)
        return 2
    except CuadraError as exc:
        print(one_line(str(exc)), file=sys.stderr)
        return 2
    except OSError as exc:
        print(one_line(f"{getattr(exc, 'filename', '') or ''}: {exc.strerror or exc}"), file=sys.stderr)
        return 2
    except Exception as exc:  # a bug in cuadra, never "findings" (1) nor "bad input" (2)
        debug = os.environ.get("CUADRA_DEBUG") == "1"
        if debug:
            traceback.print_exc()
        print(one_line(f"cuadra: error interno: {type(exc).__name__}: {exc}")[:500]
              + ("" if debug else " (CUADRA_DEBUG=1 muestra la traza)"), file=sys.stderr)
        return 3
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
