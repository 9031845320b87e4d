"""One real pipeline per test session: ``citypulse sample`` → land → build (dbt, audit) → publish.

Built once and shared (``sample_pipeline`` in tests/conftest.py) because a build costs about a
minute: tests that need a published warehouse of realistic, messy exports read it and never write
to it. The steps are the library functions the CLI calls (citypulse.cli), in their order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

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


@dataclass(frozen=True)
class SamplePipeline:
    settings: Settings
    inbox: Path
    sample: dict[str, object]
    landed: LandResult
    built: BuildOutcome


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
        built = build(settings)
    finally:
        mp.undo()
    if built.status != "published":
        pytest.fail(f"the sample pipeline's build was not published: {built.to_json()['message']}")
    return SamplePipeline(settings, inbox, sample, landed, built)
