"""The GX backend started beside Pandera (issue 17): a forked child's outcome is the in-process one.

Each case runs in a fresh interpreter: once GX has run in a process it leaves a thread behind (tqdm's
monitor), and ``expectations.job`` then never forks there, rightly; a fresh process is where the
command line forks.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRELUDE = textwrap.dedent("""
    import os, sys, threading
    from pathlib import Path
    from cuadra.contract.facts import load_facts
    from cuadra.engine import (expand_project_templates, keep_used_reference, load_project, project_paths,
                               split_applying)
    from expectations import job
    from expectations.suite import run_gx

    DATASET = Path(sys.argv[1])
    project = project_paths()
    registry, rules = load_project(project)
    facts = load_facts(DATASET, registry, extra=project.reference).facts
    rules = [*rules, *expand_project_templates(project, registry, facts, rules)]
    rules, _ = split_applying(rules, set(facts["concept"]))
    facts = keep_used_reference(facts, DATASET, project.reference, rules)
    units = sorted(registry.units)

    def same(a, b):
        assert (a.statuses, a.errors, a.contract_failures, a.success) == (
            b.statuses, b.errors, b.contract_failures, b.success)
""")


def _run(body: str, tmp_path: Path) -> None:
    dataset = ROOT / "fixtures" / "reports" / "000_18269b3800bc8850.csv"
    r = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(body), str(dataset)], cwd=ROOT,
                       capture_output=True, text=True, check=False, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the child is forked on Linux only")
def test_forked_child_reports_what_the_backend_reports_in_process(tmp_path: Path) -> None:
    """One fresh interpreter, in order: the forked child; the thread path once another thread runs; a
    child that fails, run again here; a job dropped before its outcome leaves no child behind."""
    _run("""
        import gc
        started = job.start_gx(facts, rules, units)
        assert started._pid is not None  # a fresh process, no other thread: GX runs in a child
        out = started.result()
        assert "great_expectations" not in sys.modules  # it was imported by the child only
        assert any(out.statuses.values())  # the dataset has findings
        here = run_gx(facts, rules, units)
        same(out, here)

        # GX left its progress monitor thread behind: no fork from now on, the SQL pass in a thread.
        assert threading.active_count() > 1
        started = job.start_gx(facts, rules, units)
        assert started._pid is None and started._sql is not None
        same(started.result(), here)

        # A child that fails is seen, and the backend is run here instead.
        job._can_fork = lambda: True
        parent, real = os.getpid(), job.run_gx

        def only_here(*args, **kwargs):
            if os.getpid() != parent:
                raise RuntimeError("the child fails")
            return real(*args, **kwargs)

        job.run_gx = only_here
        started = job.start_gx(facts, rules, units)
        assert started._pid is not None and started._collect() is None
        same(started.result(), here)

        # The caller raised before asking: the child is stopped and reaped, not left running.
        dropped = job.start_gx(facts, rules, units)
        pid = dropped._pid
        del dropped
        gc.collect()
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        else:
            raise AssertionError("the child of a dropped job was not reaped")
        assert pid not in job._CHILDREN
    """, tmp_path)
