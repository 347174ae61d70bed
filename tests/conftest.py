"""Shared fixtures and Hypothesis profiles.

Profiles: ``ci`` (default here, derandomized, fixed example count: deterministic and fast),
``dev`` (random, more examples), ``thorough`` (long runs: ``nox -s tests -- --hypothesis-profile=thorough``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile("thorough", max_examples=5000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session", autouse=True)
def _compiled_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The catalogue/registry cache (issue 17) in a folder of this test session, never the user's."""
    os.environ["CUADRA_CACHE"] = str(tmp_path_factory.mktemp("cuadra-cache"))
