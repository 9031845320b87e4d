"""The eval_* marts build empty, with their columns, before any run exists (every warehouse build runs them)."""

from __future__ import annotations

from pathlib import Path

import pytest

from citypulse.settings import Settings

from .test_runs import _mart, build_eval_marts

pytestmark = pytest.mark.slow


def test_eval_marts_build_empty_without_runs(home: Settings, tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    build_eval_marts(home, db)
    for name, columns in {
        "eval_run": {
            "run_id",
            "period",
            "methodology_version",
            "config_sha256",
            "input_cutoff",
            "git_commit",
            "started_at",
            "finished_at",
            "status",
            "is_official",
        },
        "eval_input": {
            "city_code",
            "platform",
            "has_account",
            "days",
            "posts",
            "views",
            "peak_views",
            "engagements",
            "followers_start",
            "followers_end",
            "topic_reach",
        },
        "eval_indicator_score": {
            "city_code",
            "platform",
            "indicator",
            "raw",
            "x",
            "lower",
            "upper",
            "score",
            "weight",
        },
        "eval_platform_score": {"city_code", "platform", "score", "rank"},
        "eval_dimension_score": {"city_code", "platform", "dimension", "score"},
        "eval_composite_score": {"composite", "city_code", "score", "rank", "rank_change"},
        "eval_supplementary": {"city_code", "platform", "measure", "value"},
        "eval_indicator_availability": {"platform", "indicator", "is_used", "reason", "used_weight"},
        "eval_rank_robustness": {"composite", "city_code", "rank", "median_rank", "rank_p5", "rank_p95"},
    }.items():
        frame = _mart(db, name)
        assert frame.height == 0, name
        assert columns | {"run_id"} <= set(frame.columns), (name, frame.columns)
