"""Shared fixtures: an isolated data home per test, and the real exports beside the repository."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from citypulse.settings import REPO_ROOT, Settings
from tests.pipeline import SamplePipeline, build_sample_pipeline

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
    return build_sample_pipeline(tmp_path_factory.mktemp("sample-pipeline"))
