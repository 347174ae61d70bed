"""The GX backend started beside Pandera (issue 17): a forked child's outcome is the in-process one."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from cuadra.contract.facts import load_facts
from cuadra.engine import expand_project_templates, keep_used_reference, load_project, project_paths, split_applying
from expectations import job
from expectations.suite import GxOutcome, run_gx

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "fixtures" / "reports" / "000_18269b3800bc8850.csv"


@pytest.fixture(scope="module")
def inputs() -> tuple:  # type: ignore[type-arg]
    project = project_paths()
    registry, rules = load_project(project)
    facts = load_facts(DATASET, registry, extra=project.reference).facts
    rules = [*rules, *expand_project_templates(project, registry, facts, rules)]
    rules, _ = split_applying(rules, set(facts["concept"]))
    return keep_used_reference(facts, DATASET, project.reference, rules), rules, sorted(registry.units)


@pytest.fixture(scope="module")
def here(inputs: tuple) -> GxOutcome:  # type: ignore[type-arg]
    """The GX backend run in this process, the reference."""
    return run_gx(*inputs)


def _same(a: GxOutcome, b: GxOutcome) -> None:
    assert (a.statuses, a.errors, a.contract_failures, a.success) == (b.statuses, b.errors, b.contract_failures,
                                                                       b.success)


def test_forked_child_reports_what_the_backend_reports_in_process(inputs: tuple, here: GxOutcome) -> None:  # type: ignore[type-arg]
    facts, rules, units = inputs
    started = job.start_gx(facts, rules, units)
    if threading.active_count() == 1:
        assert started._pid is not None  # Linux, no other thread: GX runs in a child
    out = started.result()
    assert out.statuses and any(out.statuses.values())  # the dataset has findings
    _same(out, here)


def test_a_failed_child_is_run_again_here(inputs: tuple, here: GxOutcome,  # type: ignore[type-arg]
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    facts, rules, units = inputs
    parent = os.getpid()

    def only_here(*args, **kwargs):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return run_gx(*args, **kwargs)

    monkeypatch.setattr(job, "run_gx", only_here)
    started = job.start_gx(facts, rules, units)
    if started._pid is not None:
        assert started._collect() is None  # the child's failure is seen…
        started._pid = None
    _same(started.result(), here)  # …and the backend still answers


def test_no_fork_while_another_thread_runs(inputs: tuple, here: GxOutcome) -> None:  # type: ignore[type-arg]
    facts, rules, units = inputs
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        started = job.start_gx(facts, rules, units)
        assert started._pid is None and started._sql is not None  # the SQL pass runs in a thread instead
        _same(started.result(), here)
    finally:
        stop.set()
        other.join()
