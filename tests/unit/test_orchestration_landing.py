from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowSkipException

from citypulse.orchestration.landing import announce_landing, summarise


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
