"""Shared fixtures: an isolated data home per test, the real exports beside the repository, and the
session's one sample pipeline (shared by the xdist workers of a run).

``make test`` runs on two xdist workers (``--dist loadgroup``): a module's tests stay on one worker
(its module fixtures are made once), the Superset folder's too (one server for the folder).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from citypulse.settings import REPO_ROOT, Settings
from tests.pipeline import SamplePipeline, build_sample_pipeline, made_once

REAL_EXPORTS = Path(os.environ.get("CITYPULSE_REAL_EXPORTS", REPO_ROOT.parent / "shared" / "real-exports"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """A fresh, empty data home; CITYPULSE_HOME points at it for the test's duration."""
    monkeypatch.setenv("CITYPULSE_HOME", str(tmp_path / "home"))
    yield Settings.from_env().ensure()


@pytest.fixture(scope="session")
def real_exports() -> Path:
    """../shared/real-exports; tests that need it skip (with the reason) on a bare clone."""
    if not REAL_EXPORTS.is_dir():
        pytest.skip(f"real exports not present at {REAL_EXPORTS} (they live beside the repo in CI)")
    return REAL_EXPORTS


@pytest.fixture(scope="session")
def sample_pipeline(tmp_path_factory: pytest.TempPathFactory) -> SamplePipeline:
    """One published warehouse per session from ``citypulse sample`` (tests/pipeline.py): read it, never write."""
    return made_once(tmp_path_factory, "sample-pipeline", build_sample_pipeline)


# before xdist's own hook, which reads the group marks into the node ids its scheduler groups by
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        group = "tests/superset" if path.startswith("tests/superset/") else path
        item.add_marker(pytest.mark.xdist_group(group))
