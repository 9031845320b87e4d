"""``citypulse methodology baseline``: goalposts from the sample pipeline's official runs into a new
methodology version, the source version untouched (the runs are read, the config is a copy)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from citypulse.environment import process_env
from citypulse.evaluation.methodology import DEFAULT_VERSION, default_directory, load_methodology
from tests.pipeline import SAMPLE_PERIODS, SamplePipeline

pytestmark = pytest.mark.slow


def test_baseline_pools_the_official_runs_into_a_new_version(
    sample_pipeline: SamplePipeline, tmp_path: Path
) -> None:
    settings = sample_pipeline.settings
    config = tmp_path / "methodology"
    shutil.copytree(default_directory(settings), config)
    before = load_methodology(config, DEFAULT_VERSION)
    cli = str(Path(sys.executable).with_name("citypulse"))
    first, last = SAMPLE_PERIODS[0], SAMPLE_PERIODS[-1]
    done = subprocess.run(
        [cli, "methodology", "baseline", "--from", first, "--to", last, "--dir", str(config)],
        env=process_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    version = done.stdout.strip()
    assert version != DEFAULT_VERSION
    derived = load_methodology(config, version)
    assert load_methodology(config, DEFAULT_VERSION).sha256 == before.sha256  # the source is untouched
    for table in ("indicators", "platforms", "platform_indicators", "composite_weights", "settings"):
        a, b = (m.tables[table].drop("methodology_version") for m in (before, derived))
        assert a.sort(a.columns).equals(b.sort(b.columns)), table

    # independently: P5/P95 (linear) of every x of the window's runs, pooled per platform x indicator
    pooled = pl.concat(
        [
            pl.read_parquet(p / "eval_indicator_score.parquet")
            for p in settings.evaluations.glob("run_id=*")
            if p.name.removeprefix("run_id=") in sample_pipeline.runs.values()
        ]
    ).drop_nulls("x")
    goalposts = derived.tables["goalposts"]
    checked = 0
    for (platform, indicator), group in pooled.group_by("platform", "indicator"):
        lower, upper = np.percentile(group["x"].to_numpy(), [5, 95], method="linear")
        row = goalposts.filter(platform=platform, indicator=indicator).row(0, named=True)
        if upper > lower:
            assert abs(row["lower"] - lower) < 1e-6 and abs(row["upper"] - upper) < 1e-6
            assert row["basis"].startswith("baseline:")
            checked += 1
    assert checked > 0
    kept = goalposts.filter(~pl.col("basis").str.starts_with("baseline:"))
    old = before.tables["goalposts"].join(kept.select("platform", "indicator"), on=["platform", "indicator"])
    assert (
        kept.sort("platform", "indicator")["lower"].to_list()
        == old.sort("platform", "indicator")["lower"].to_list()
    )

    again = subprocess.run(
        [
            cli,
            "methodology",
            "baseline",
            "--from",
            first,
            "--to",
            last,
            "--dir",
            str(config),
            "--new-version",
            version,
        ],
        env=process_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0 and "exists already" in again.stderr
