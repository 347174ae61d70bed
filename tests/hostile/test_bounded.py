"""Issue 15, item 6 (reading side): files are streamed with progress, and a dataset is bounded in rows
across all its files, not only per file."""

from __future__ import annotations

import pytest

from cuadra.contract.facts import load_facts
from cuadra.contract.registry import load_registry
from hostile.corpus import Project, csv_text, rows, run


def test_progress_counts_up_to_the_whole_dataset(project: Project) -> None:
    folder = project.inputs / "data"
    folder.mkdir()
    for name, years in (("a.csv", range(1900, 1950)), ("b.csv", range(1950, 2000))):
        (folder / name).write_text(csv_text([r for y in years for r in rows(period=str(y))]), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    facts = load_facts(folder, load_registry([project.concepts]), progress=lambda d, n: seen.append((d, n))).facts
    assert len(facts) == 300
    assert seen and seen[-1][0] == seen[-1][1] and all(d <= n for d, n in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_rows_are_limited_across_files(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    project.facts(rows(), name="a.csv")
    project.facts(rows(period="2021"), name="b.csv")
    code, err = run(project.validate(project.inputs / "a.csv", "--max-rows", "5"), capsys, project)
    assert code == 0, err
    folder = project.inputs / "data"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):
        (project.inputs / name).rename(folder / name)
    code, err = run(project.validate(folder, "--max-rows", "5"), capsys, project)
    assert code == 2 and "b.csv:4: more than 5 facts in the dataset" in err, err
