from __future__ import annotations

import polars as pl
import pytest
from airflow.sdk.exceptions import AirflowSkipException

from citypulse.orchestration.landing import announce_landing, land_path, summarise, validate_landed
from citypulse.settings import Settings

TOPICS = "话题,阅读量,讨论量\n#城市名片#,12.3亿,4567万\n#夜游江城#,8000,-\n"


def test_summary_counts_statuses_and_failed_tasks() -> None:
    results = [
        {"name": "a.csv", "status": "landed", "rows_landed": 10},
        {"name": "b.csv", "status": "duplicate", "rows_landed": 0},
        {"name": "c.csv", "status": "quarantined", "rows_landed": 0},
        None,
    ]
    summary = summarise(results)
    assert summary["by_status"] == {"duplicate": 1, "failed": 1, "landed": 1, "quarantined": 1}
    assert summary["rows_landed"] == 10
    assert summary["quarantined"] == ["c.csv"]


def test_nothing_new_skips_so_no_lake_event() -> None:
    with pytest.raises(AirflowSkipException):
        announce_landing([{"name": "b.csv", "status": "duplicate", "rows_landed": 0}])
    assert announce_landing([{"name": "a.csv", "status": "landed", "rows_landed": 3}])["files"] == 1


def test_land_then_validate_the_batch_once(home: Settings) -> None:
    paths = []
    for i in range(2):
        path = home.inbox / "weibo" / f"acct{i}" / f"topics_2025-03-0{i + 1}.csv"
        path.parent.mkdir(parents=True)
        path.write_text(TOPICS.replace("8000", str(8000 + i)), encoding="utf-8")
        paths.append(path)
    results = [land_path(home, str(p)) for p in paths]
    assert [len(r["ingest_ids"]) for r in results] == [1, 1]
    # a mapped task that failed outright arrives as None: the others are still validated
    summary = validate_landed(home, [*results, None])
    assert summary["ingests"] == 2 and summary["by_status"] == {"pass": summary["checks"]}
    files = sorted(home.quality.glob("*.parquet"))
    assert [f.stem for f in files] == [summary["batch_id"]]
    assert set(pl.read_parquet(files[0])["run_id"]) == {summary["batch_id"]}
    # a retried validate task finds the batch's file and writes nothing
    mtime = files[0].stat().st_mtime_ns
    assert validate_landed(home, results)["batch_id"] == summary["batch_id"]
    assert files[0].stat().st_mtime_ns == mtime and len(list(home.quality.glob("*"))) == 1


def test_a_big_drop_is_landed_by_a_bounded_number_of_tasks() -> None:
    from citypulse.orchestration.landing import MAX_LAND_TASKS, land_groups, per_file

    small = [f"f{i:04d}" for i in range(5)]
    assert land_groups(small) == [[p] for p in small]  # an ordinary drop: one task per file
    big = [f"f{i:04d}" for i in range(1255)]
    groups = land_groups(big)
    assert len(groups) <= MAX_LAND_TASKS < 1024  # Airflow maps at most [core] max_map_length values
    assert [p for g in groups for p in g] == big  # every file once, in order
    assert len({len(g) for g in groups[:-1]}) == 1 and 0 < len(groups[-1]) <= len(groups[0])
    assert land_groups([]) == []
    # a group whose task failed is one None (summarise counts it failed), the others one per file
    assert per_file([[{"status": "landed"}], None, [{"status": "duplicate"}, {"status": "landed"}]]) == [
        {"status": "landed"},
        None,
        {"status": "duplicate"},
        {"status": "landed"},
    ]
