"""Sessions: validate (default: the bundled IMSS reports), tests, lint, docs, bench.

uv is nox's venv backend when it is installed next to nox (about 6-8x faster env builds, TOOLING.md
§6); virtualenv otherwise. Every session installs the project from pyproject.toml, so the pins
live in one place.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["validate"]

PYTHON = os.environ.get("CUADRA_PYTHON", "3.11")
ENV = {"GX_ANALYTICS_ENABLED": "false"}


def _install(session: nox.Session, extras: str = "") -> None:
    session.install("-e", f".{extras}")


#: What each exit code of cuadra means (README "Exit codes"; 3 and 130 come from cuadra.cli.main).
VERDICTS = {0: "OK", 1: "FALLA: hallazgos con severidad ≥ --fail-on (el resumen, arriba)",
            2: "ENTRADA INVÁLIDA: nada se evaluó (mensajes archivo:fila:columna arriba)",
            3: "ERROR INTERNO de cuadra (un fallo de cuadra, no de los datos)", 130: "INTERRUMPIDO"}


def _cuadra(session: nox.Session, *args: str) -> None:
    """Run cuadra and end the session with cuadra's own exit code and an honest last line (issue 19).

    nox reduces every failed session to exit 1 and prints "Session … was successful" after any
    accepted code, so neither `success_codes` nor `session.error` can carry cuadra's 2 (bad input)
    or 3 (internal error) to CI. The command's code is taken from nox's ``CommandFailed``, the
    verdict is logged, and ``SystemExit`` ends nox with that code (nox runs no later session then).
    """
    try:
        session.run("cuadra", *args, env=ENV)
        code = 0
    except nox.command.CommandFailed as exc:
        code = getattr(exc, "return_code", None)
        if code is None:  # older nox: the reason reads "Returned code N"
            reason = str(getattr(exc, "reason", "") or "")
            code = int(reason.rsplit(" ", 1)[-1]) if reason.rsplit(" ", 1)[-1].isdigit() else 1
    said = VERDICTS.get(code, "código inesperado")
    if code == 1 and args[0] == "gate":
        said = "FALLA: hallazgos nuevos o comprobaciones perdidas con severidad ≥ --fail-on (el resumen, arriba)"
    verdict = f"cuadra {args[0]}: exit {code} — {said}"
    if code == 0:
        session.log(verdict)
        return
    session.warn(verdict)
    raise SystemExit(code)


@nox.session(python=PYTHON)
def validate(session: nox.Session) -> None:
    """`nox -s validate [-- PATH [cuadra validate options]]`: the bundled reports when no PATH."""
    _install(session)
    args = session.posargs or ["fixtures/reports", "--json", "out/findings.json", "--junit", "out/junit.xml",
                               "--docs", "out/site"]
    # cuadra's own exit code: on the bundle that is 1 (its reports' 19 error findings, README).
    _cuadra(session, "validate", *args)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """`nox -s tests [-- pytest args]`: fast suite by default (-m "not slow")."""
    _install(session, "[dev]")
    args = session.posargs or ["-m", "not slow"]
    # pytest exits 5 when a selection is empty (e.g. `-m slow` before any slow test exists); CI
    # allows that for its optional slow pass only, never for the default suite.
    codes = [0, 5] if os.environ.get("CUADRA_ALLOW_NO_TESTS") == "1" else [0]
    session.run("pytest", *args, env={**ENV, "HYPOTHESIS_PROFILE": os.environ.get("HYPOTHESIS_PROFILE", "ci")},
                success_codes=codes)


@nox.session(python=PYTHON)
def gate(session: nox.Session) -> None:
    """`nox -s gate -- BASE HEAD [cuadra gate options]`: fails only on new findings (docs/gate.md)."""
    _install(session)
    if len(session.posargs) < 2:
        session.error("usage: nox -s gate -- BASE HEAD [--json F] [--junit F] [--markdown F] [--docs DIR] "
                      "[--fail-on error|warning]")
    # cuadra's own exit code: 1 blocks the merge (a new finding or a lost check), 2 is bad input.
    _cuadra(session, "gate", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    _install(session, "[dev]")
    session.run("ruff", "check", "cuadra", "checks", "expectations", "tests", "tools", "noxfile.py")


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Build the Data Docs site of the bundled reports into out/site (open out/site/index.html offline)."""
    _install(session)
    session.run("cuadra", "validate", "fixtures/reports", "--docs", "out/site", "--quiet", env=ENV,
                success_codes=[0, 1])
    # Fails the session if any page (ours or GX's) would fetch an asset from the network.
    session.run("python", "-m", "expectations.docs", "out/site", env=ENV)
    session.run("python", "tools/rules_doc.py", env=ENV)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Issue 17's ratios against floors measured in the same run; writes docs/bench.md and its plot.

    The `bench` extra, not `dev`: a user's install has no hypothesis, and pandera imports it when
    present (0.3 s of start-up a steward never pays). Bytecode is compiled at install, as pip does.
    """
    session.env["UV_COMPILE_BYTECODE"] = "1"
    _install(session, "[bench]")
    session.run("python", "tools/bench.py", *session.posargs, env=ENV)
    session.run("python", "tools/bench_extract.py", env=ENV)  # recall of `cuadra extraer` (issue 14)
    session.run("python", "tools/bench_microdatos.py", env=ENV)  # issue 18: docs/bench_microdatos.md


@nox.session(python=PYTHON)
def microdatos_spark(session: nox.Session) -> None:
    """Microdata on Spark (issue 18): DuckDB = Spark, and GX's Spark data source = Pandera = DuckDB, on
    synthetic asegurados files, one SparkSession for the pass (`pytest -m spark`). Needs a JRE (.ci/run
    installs Debian's default-jre-headless)."""
    _install(session, "[dev,spark]")
    session.run("pytest", "-m", "spark", "tests/microdata", *session.posargs, env=ENV)


@nox.session(python=PYTHON)
def mutation(session: nox.Session) -> None:
    """Inject every fault class into every bundled fact that takes part in a rule; fail below the
    threshold (`-- --min-rate 0.99 --seeds N`). The latest table is in the README."""
    _install(session, "[dev]")
    session.run("python", "tools/mutation.py", *session.posargs, env=ENV)
