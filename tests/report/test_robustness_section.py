"""The report's block on indicator availability and rank intervals, from a run's frozen files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from citypulse.report.robustness_section import section


def test_one_sentence_per_city_and_the_reasons_for_left_out_indicators(tmp_path: Path) -> None:
    pl.DataFrame(
        {
            "composite": ["overall", "overall", "overall"],
            "city_code": ["A", "B", "C"],
            "rank": [1, 2, 3],
            "median_rank": [1.0, 2.0, 3.0],
            "rank_p5": [1, 1, 3],
            "rank_p95": [2, 2, 3],
            "draws": [1000] * 3,
            "seed": [7] * 3,
        }
    ).write_parquet(tmp_path / "eval_rank_robustness.parquet")
    pl.DataFrame(
        {
            "platform": ["weibo", "weibo", "weibo"],
            "indicator": ["a", "r", "t"],
            "indicator_zh": ["日均发布量", "日均播放/阅读量", "日均话题阅读量"],
            "is_defined": [True, True, True],
            "is_used": [True, False, True],
            "reason": ["used", "no_value_for_any_city", "used"],
            "reason_zh": ["采用", "剔除：无城市有数据，权重在其余指标间重新分配", "采用"],
            "used_weight": [0.5, None, 0.5],
        }
    ).write_parquet(tmp_path / "eval_indicator_availability.parquet")
    pl.DataFrame({"setting": ["robustness_platform_spread"], "value": ["0.1"]}).write_parquet(
        tmp_path / "config_settings.parquet"
    )
    html = section(tmp_path, {"A": "甲市", "B": "乙市", "C": "丙市"}.__getitem__)
    assert "甲市：排名第 1，在 95% 的权重设定下位于第 1–2 名。" in html
    assert "丙市：排名第 3，在 95% 的权重设定下位于第 3 名。" in html
    assert "±10%" in html
    assert "采用 日均发布量 50%、日均话题阅读量 50%；未采用 日均播放/阅读量（剔除：无城市有数据" in html


def test_runs_without_the_files_show_no_block(tmp_path: Path) -> None:
    assert section(tmp_path, str) == ""
