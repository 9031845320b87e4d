"""One real pipeline per test session: ``citypulse sample`` → land → build (dbt, audit) → publish →
evaluate every complete month of the sample → publish again (the eval_ marts).

Built once and shared (``sample_pipeline`` in tests/conftest.py) because a build costs about a
minute: tests that need a published warehouse of realistic, messy exports read it and never write
to it. The steps are the library functions the CLI calls (citypulse.cli), in their order.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from filelock import FileLock

from citypulse.evaluation.run import evaluate
from citypulse.landing.runner import LandResult, land_inbox
from citypulse.sample.generator import generate
from citypulse.settings import Settings
from citypulse.warehouse.build import BuildOutcome, build

# small enough for a session fixture (~1-2 minutes), large enough to hold every export format,
# registered accounts and the unregistered creators (influencers, private persons) keyword
# searches find
SAMPLE_CITIES = 3
SAMPLE_MONTHS = 2
SAMPLE_SEED = 42
# the sample's complete months (generator's default "today" 2026-11-09), each evaluated officially
SAMPLE_PERIODS = ("2026-09", "2026-10")


T = TypeVar("T")


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], T]) -> T:
    """``make(root)`` once per test run, also when xdist splits the run over workers: the first
    worker makes it under a lock in the run's shared temp folder, the others load its pickle (or
    its failure, so a broken build fails every worker's tests with the same message)."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # each worker's base temp lies in the run's one folder
    made, failed = base / f"{name}.pickle", base / f"{name}.failed"
    with FileLock(str(base / f"{name}.lock")):
        if failed.is_file():
            pytest.fail(failed.read_text(encoding="utf-8"))
        if made.is_file():
            return pickle.loads(made.read_bytes())
        root = base / name
        root.mkdir()
        try:
            value = make(root)
        except BaseException as exc:
            failed.write_text(f"{name} could not be made: {exc}", encoding="utf-8")
            raise
        made.write_bytes(pickle.dumps(value))
        return value


@dataclass(frozen=True)
class SamplePipeline:
    settings: Settings
    inbox: Path
    sample: dict[str, object]
    landed: LandResult
    built: BuildOutcome
    runs: dict[str, str]  # period → official run_id


def build_sample_pipeline(root: Path) -> SamplePipeline:
    """Generate a sample inbox under ``root``, land it into a new data home there, build and publish.

    The data home gets its own generated PII key (``CITYPULSE_PII_KEY`` unset), as a fresh install.
    Fails the session's tests that use it when the build is not published: what they check is
    the published warehouse.
    """
    mp = pytest.MonkeyPatch()
    mp.setenv("CITYPULSE_HOME", str(root / "home"))
    mp.delenv("CITYPULSE_PII_KEY", raising=False)
    try:
        settings = Settings.from_env().ensure()
        inbox = root / "inbox"
        sample = generate(inbox, cities=SAMPLE_CITIES, months=SAMPLE_MONTHS, seed=SAMPLE_SEED)
        landed = land_inbox(settings, inbox)
        first = build(settings)
        if first.status != "published":
            pytest.fail(f"the sample pipeline's build was not published: {first.to_json()['message']}")
        # the accounts registry names official accounts of every panel city, the sample exports
        # only SAMPLE_CITIES of them: the runs are incomplete by construction and record it
        runs = {period: evaluate(settings, period, allow_incomplete=True) for period in SAMPLE_PERIODS}
        built = build(settings)
    finally:
        mp.undo()
    if built.status != "published":
        pytest.fail(
            f"the sample pipeline's rebuild with the evaluations was not published: {built.to_json()['message']}"
        )
    return SamplePipeline(settings, inbox, sample, landed, built, runs)
