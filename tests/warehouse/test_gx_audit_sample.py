"""The GX mart audit validates big marts on an even sample, and says so in every result."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from citypulse.quality.sampling import MAX_ROWS_ENV
from citypulse.settings import Settings
from citypulse.warehouse.gx_audit import run_gx_suites

ROWS = 1_000
SUITE = {
    "name": "marts_fct_small",
    "meta": {"table": "fct_small"},
    "expectations": [
        {"type": "expect_table_columns_to_match_set", "kwargs": {"column_set": ["small_key", "reads"]}},
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "small_key"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "reads", "min_value": 0}},
    ],
}


def _settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, negative_row: int) -> Settings:
    repo = tmp_path / "repo"
    (repo / "expectations").mkdir(parents=True)
    (repo / "expectations" / "marts_fct_small.json").write_text(json.dumps(SUITE), encoding="utf-8")
    monkeypatch.setenv("CITYPULSE_REPO", str(repo))
    settings = Settings(home=tmp_path / "home").ensure()
    settings.warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.build_db)) as conn:
        conn.execute(
            "create table fct_small as select 'k' || i as small_key,"
            f" case when i = {negative_row} then -1 else i end as reads from range({ROWS}) t(i) order by i"
        )
    return settings


def _by_type(results: list) -> dict[str, object]:
    return {r.check_name.split("(")[0]: r for r in results}


def test_small_marts_are_checked_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_ROWS_ENV, raising=False)
    results = _by_type(run_gx_suites(_settings(tmp_path, monkeypatch, negative_row=7), "run-1"))
    between = results["expect_column_values_to_be_between"]
    assert between.status == "fail" and between.failing_rows == 1
    assert "sample" not in (between.details or "")
    assert results["expect_column_values_to_be_unique"].details is None


def test_big_marts_are_checked_on_every_nth_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_ROWS_ENV, "100")
    # row 30 is in the sample (every 10th row from rowid 0): the sample finds it and says it sampled
    found = _by_type(run_gx_suites(_settings(tmp_path, monkeypatch, negative_row=30), "run-1"))
    between = found["expect_column_values_to_be_between"]
    assert between.status == "fail" and between.failing_rows == 1
    assert between.details.startswith("sample: 100 of 1,000 rows checked (every 10th row); fct_small: 1")
    unique = found["expect_column_values_to_be_unique"]
    assert unique.status == "pass" and unique.details == "sample: 100 of 1,000 rows checked (every 10th row)"


def test_the_sample_is_the_same_rows_on_every_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_ROWS_ENV, "100")
    # row 31 is not in the sample: GX passes it (the dbt tests read every row), every time
    settings = _settings(tmp_path, monkeypatch, negative_row=31)
    runs = [_by_type(run_gx_suites(settings, f"run-{n}")) for n in range(2)]
    assert [r["expect_column_values_to_be_between"].status for r in runs] == ["pass", "pass"]
