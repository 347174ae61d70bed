"""How much cuadra reads before it refuses: the limits that keep hostile or runaway input bounded.

One job: name every limit once, with its default and how to raise it. A file past a limit is bad
input (exit 2, ``file:line:column: what was expected``), never a crash, an hour of work or gigabytes
of memory. The two limits a steward may legitimately hit with a big dataset, bytes per file and rows
per dataset, can be raised with ``--max-bytes`` / ``--max-rows`` or ``CUADRA_MAX_BYTES`` /
``CUADRA_MAX_ROWS`` (the options win); the others guard against malformed structure only.
The CLI reads the configuration once and installs it with :func:`use` (DESIGN.md, "Workspace").
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

__all__ = ["Limits", "current", "use", "from_env", "parse_size", "parse_count", "human"]

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    #: Bytes of one dataset file (CSV, XLSX, Parquet, JSON). A 1 M-fact CSV is about 250 MB.
    max_bytes: int = 1024 * MB
    #: Facts of one dataset (all its files together).
    max_rows: int = 5_000_000
    #: Characters of one cell (a quote is a sentence or two; 32,767 is Excel's own cell limit).
    max_cell: int = 32_767
    #: Declared uncompressed bytes of an XLSX (a zip), and the largest compression ratio of one member:
    #: a real sheet compresses 5-30×, a zip bomb 1000×.
    max_xlsx_bytes: int = 1024 * MB
    max_zip_ratio: int = 200
    #: Nesting of a JSON dataset (a fact list is 3 deep).
    max_json_depth: int = 64
    #: A YAML file (rules, registry, waivers, documents): its bytes, nesting and nodes after aliases.
    max_yaml_bytes: int = 32 * MB
    max_yaml_depth: int = 64
    max_yaml_nodes: int = 2_000_000
    #: A rule expression: characters (after its definitions are expanded) and nesting of its tree.
    max_expr_chars: int = 20_000
    max_expr_depth: int = 100
    #: Contract errors collected before reading stops (the CLI prints the first 200).
    max_errors: int = 10_000


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$", re.I)


def parse_size(text: str) -> int:
    """``"512M"``, ``"2G"``, ``"1000000"`` → bytes (K, M, G are powers of 1024). Raise ValueError otherwise."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError(f"{text!r}: expected a number, optionally with K, M, G or T")
    return int(float(m[1]) * 1024 ** " kmgt".index((m[2] or " ").lower()))


def parse_count(text: str) -> int:
    """``"5000000"``, ``"5_000_000"``, ``"5M"`` (decimal: 5,000,000) → a count. Raise ValueError otherwise."""
    m = _SIZE.match(text.replace("_", ""))
    if not m:
        raise ValueError(f"{text!r}: expected a whole number, optionally with K, M or G")
    return int(float(m[1]) * 1000 ** " kmgt".index((m[2] or " ").lower()))


def human(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n:,} bytes"


def from_env(env: dict[str, str] | None = None) -> Limits:
    env = dict(os.environ) if env is None else env
    lim = Limits()
    if env.get("CUADRA_MAX_BYTES"):
        lim = replace(lim, max_bytes=parse_size(env["CUADRA_MAX_BYTES"]))
    if env.get("CUADRA_MAX_ROWS"):
        lim = replace(lim, max_rows=parse_count(env["CUADRA_MAX_ROWS"]))
    return lim


_CURRENT: ContextVar[Limits | None] = ContextVar("cuadra_limits", default=None)


def current() -> Limits:
    """The limits in force: those installed by :func:`use`, else the environment's, else the defaults."""
    lim = _CURRENT.get()
    return lim if lim is not None else from_env()


@contextmanager
def use(limits: Limits) -> Iterator[Limits]:
    token = _CURRENT.set(limits)
    try:
        yield limits
    finally:
        _CURRENT.reset(token)
