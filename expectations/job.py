"""The GX backend started beside the Pandera backend: a forked process when it is safe, a thread else.

One job: begin the GX backend's work as soon as the facts and rules are known, and hand its
:class:`~expectations.suite.GxOutcome` back when the caller asks. Why: on the bundle, importing GX
and validating its suite is about as long as the Pandera backend, and the two are independent (GX
reads the SQL compiler's verdicts, never the numpy evaluator's), so with two cores they can run at
the same time (issue 17). This only overlaps the work; the GX run's own cost is cut in
:mod:`expectations.suite` (one expectation per rule family, the SQL pass done once).

When a process is forked: on Linux, without Data Docs (the pages are written from the same GX
context after cuadra's waivers are applied, so that run stays in this process), and only when no
other thread is alive (a forked child inherits no thread, and a lock one held, a progress bar's
for instance, would stay locked in the child). The child validates, sends the outcome through a
pipe and leaves with ``os._exit`` (no buffer flushed twice, no exit handler run twice). Otherwise,
or if the child fails in any way, the GX backend runs here, in this process, exactly as without
this module: its SQL pass still starts at once, in a thread (``suite.start_sql``).
"""

from __future__ import annotations

import atexit
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cuadra.rules.catalogue import Rule
from expectations.suite import GxOutcome, SqlPass, run_gx, start_sql

__all__ = ["GxJob", "start_gx"]

_CHILDREN: set[int] = set()


def _stop(pid: int) -> None:
    """Stop one child and collect it (it may be gone already)."""
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except OSError:
        pass
    _CHILDREN.discard(pid)


def _reap_children() -> None:
    """At exit, a child nobody collected (the caller raised first) is stopped, not left behind."""
    for pid in list(_CHILDREN):
        _stop(pid)


atexit.register(_reap_children)


def _can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


class GxJob:
    """The GX backend on these facts and rules, begun now; :meth:`result` waits for its outcome."""

    def __init__(self, facts: pd.DataFrame, rules: Sequence[Rule], units: Sequence[str], *,
                 docs_dir: Path | None = None) -> None:
        self.facts, self.rules, self.units, self.docs_dir = facts, list(rules), list(units), docs_dir
        self._pid: int | None = None
        self._fd: int | None = None
        self._sql: SqlPass | None = None
        if docs_dir is None and _can_fork():
            self._fork()
        else:
            self._sql = start_sql(facts, self.rules)

    def _fork(self) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: validate, send the outcome, leave without running exit handlers
            code = 0
            try:
                # The parent's objects are the child's too: frozen, its collections neither walk them
                # (pandas, the facts, the rules) nor copy their pages by touching their counts.
                gc.freeze()
                os.close(read)
                try:
                    payload = pickle.dumps(run_gx(self.facts, self.rules, self.units), pickle.HIGHEST_PROTOCOL)
                except BaseException:
                    payload, code = b"", 1
                with os.fdopen(write, "wb") as fh:
                    fh.write(payload)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._fd = pid, read
        _CHILDREN.add(pid)

    def _collect(self) -> GxOutcome | None:
        """The child's outcome, or ``None`` when it failed (it is then run here)."""
        assert self._pid is not None and self._fd is not None
        with os.fdopen(self._fd, "rb") as fh:
            payload = fh.read()
        _, status = os.waitpid(self._pid, 0)
        _CHILDREN.discard(self._pid)
        self._pid = self._fd = None
        if os.waitstatus_to_exitcode(status) != 0 or not payload:
            return None
        try:
            out = pickle.loads(payload)  # written by our own child, from the same code
        except Exception:
            return None
        return out if isinstance(out, GxOutcome) else None

    def __del__(self) -> None:
        """Never collected (the caller raised before asking): stop the child and close the pipe."""
        pid, fd, self._pid, self._fd = self._pid, self._fd, None, None
        if pid is not None:
            _stop(pid)
        if fd is not None:
            os.close(fd)

    def result(self) -> GxOutcome:
        """Wait for the GX backend's outcome (run here if the child failed)."""
        if self._pid is not None:
            out = self._collect()
            if out is not None:
                return out
        sql, self._sql = self._sql, None
        return run_gx(self.facts, self.rules, self.units, docs_dir=self.docs_dir, sql=sql)


def start_gx(facts: pd.DataFrame, rules: Sequence[Rule], units: Sequence[str], *,
             docs_dir: Path | None = None) -> GxJob:
    """Begin the GX backend now (see the module's docstring); ``.result()`` gives its outcome."""
    return GxJob(facts, rules, units, docs_dir=docs_dir)
