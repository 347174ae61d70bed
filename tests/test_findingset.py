"""Issue 15, item 6: findings kept as columns and streamed say exactly what the eager objects said.

The yardstick is the previous construction (``cuadra.testing.eager_findings``: one object per
instance, built at once), put back in the engine's place: the JSON, the JUnit XML and the terminal
summary of a run must be the same, on the bundle and on several editions of it. And the progress
bar: drawn on a terminal (reading, rules, writing the JSON), never with ``--quiet`` or into a pipe.
"""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from cuadra import engine
from cuadra.cli import main
from cuadra.findings import Run
from cuadra.findingset import FindingSet, tally, where
from cuadra.report.machine import write_json, write_junit
from cuadra.report.terminal import print_summary
from cuadra.testing.eager_findings import eager_findings

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "fixtures" / "reports"
sys.path.insert(0, str(ROOT / "tools"))

from editions import write_editions  # noqa: E402


def _outputs(run: Run, out: Path) -> tuple[dict[str, object], bytes, str]:
    """The JSON (without the clock), the JUnit bytes and the terminal summary of a run."""
    write_json(run, out / "f.json")
    write_junit(run, out / "j.xml")
    data = json.loads((out / "f.json").read_text(encoding="utf-8"))
    del data["run"]["seconds"], data["run"]["started"]  # type: ignore[attr-defined]
    console = Console(file=io.StringIO(), width=160)
    run.seconds = 0.0
    print_summary(run, console)
    return data, (out / "j.xml").read_bytes(), console.file.getvalue()  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """Two editions of the bundle (every period a year later in the second), validated once."""
    folder = tmp_path_factory.mktemp("editions")
    write_editions(2, folder)
    run, *_ = engine.validate(folder, backend="pandera")
    return folder, run


@pytest.mark.parametrize("which", ["bundle", "editions"])
def test_streamed_outputs_equal_the_eager_ones(which: str, editions: tuple[Path, Run], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path, run = (BUNDLE, engine.validate(BUNDLE, backend="pandera")[0]) if which == "bundle" else editions
    assert isinstance(run.findings, FindingSet)
    (tmp_path / "new").mkdir()
    new = _outputs(run, tmp_path / "new")
    monkeypatch.setattr(engine, "findings_from_results", eager_findings)
    old_run, *_ = engine.validate(path, backend="pandera")
    assert isinstance(old_run.findings, list)
    (tmp_path / "old").mkdir()
    old = _outputs(old_run, tmp_path / "old")
    assert new[0] == old[0]
    assert new[1] == old[1]
    assert new[2] == old[2]
    # The streamed JSON is the plain dump of every finding, waivers applied (not only the same as itself).
    plain = json.loads(json.dumps(old_run.to_json(), allow_nan=False))
    assert new[0]["findings"] == plain["findings"]
    summary = new[0]["summary"]
    assert isinstance(summary, dict) and summary["instances"] == len(old_run.findings) == len(run.findings)
    assert summary["waived"] > 0 and summary["pass"] > 0 and summary["fail"] > 0  # every path was taken


def test_a_finding_set_reads_like_the_list_it_stands_for(editions: tuple[Path, Run]) -> None:
    run = editions[1]
    fs = run.findings
    assert isinstance(fs, FindingSet)
    items = list(fs)
    assert len(fs) == len(items) and bool(fs)
    for i in (0, 1, len(items) // 2, len(items) - 1, -1):
        assert (fs[i].rule, fs[i].key, fs[i].status, fs[i].facts) == (items[i].rule, items[i].key, items[i].status,
                                                                       items[i].facts)
    assert [f.key for f in fs[3:9]] == [f.key for f in items[3:9]]
    with pytest.raises(IndexError):
        fs[len(items)]
    statuses = ("fail", "indeterminate")
    assert [f.key for f in fs.where(statuses)] == [f.key for f in items if f.status in statuses]
    # Narrowed to a few rules (the waivers'): the same positions as filtering every instance.
    some = {f.rule for f in items if f.status == "fail"}
    some = {sorted(some)[0], "no.such.rule"}
    assert [(i, f.key) for i, f in fs.enumerate_where(statuses, some)] == [
        (i, f.key) for i, f in enumerate(items) if f.status in statuses and f.rule in some]
    assert tally(fs) == tally(items)
    assert fs.counts() == run.counts()
    # A change lands in a copy only, and the counts follow it.
    i, f = next(fs.enumerate_where(("pass",)))
    copy = fs.copy()
    copy[i] = replace(f, status="fail")
    assert copy[i].status == "fail" and fs[i].status == "pass"
    assert copy.counts()["fail"] == fs.counts()["fail"] + 1 and copy.counts()["pass"] == fs.counts()["pass"] - 1
    assert fs.evaluated({(f.rule, f.key), ("no.such.rule", "2020")}) == {(f.rule, f.key)}
    assert list(where(items, ("waived",))) == [x for x in items if x.status == "waived"]


def _small(tmp_path: Path) -> Path:
    lines = (BUNDLE / "000_18269b3800bc8850.csv").read_text(encoding="utf-8").splitlines()
    small = tmp_path / "small.csv"
    small.write_text("\n".join(lines[:12]) + "\n", encoding="utf-8")  # header + 11 facts
    return small


def _on_a_terminal(args: list[str]) -> str:
    """What ``cuadra`` writes to stderr when stderr is a terminal (a pseudo-terminal here)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    proc = subprocess.Popen([sys.executable, "-m", "cuadra", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=follower, stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=300)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small = _small(tmp_path)
    shown = _on_a_terminal(["validate", str(small), "--backend", "pandera", "--json", str(tmp_path / "a.json")])
    assert "pandera" in shown and "escribiendo JSON" in shown, shown
    quiet = _on_a_terminal(["validate", str(small), "--backend", "pandera", "--json", str(tmp_path / "b.json"),
                            "--quiet"])
    assert "escribiendo" not in quiet and "pandera" not in quiet, quiet
    # Not a terminal (a pipe, a CI log): the same run draws no bar at all.
    main(["validate", str(small), "--backend", "pandera", "--json", str(tmp_path / "c.json")])
    err = capsys.readouterr().err
    assert "escribiendo" not in err and "leyendo" not in err, err
    a, c = (json.loads((tmp_path / n).read_text(encoding="utf-8")) for n in ("a.json", "c.json"))
    assert a["summary"]["instances"] == c["summary"]["instances"] > 0
