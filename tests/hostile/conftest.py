"""Fixtures of the hostile suite: a fresh tiny project per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile.corpus import Project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)
