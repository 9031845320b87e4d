"""What the land DAG does with the per-file results of its mapped tasks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any


class NothingLanded(Exception):
    """No new rows reached the lake: downstream must not be triggered."""


def summarise(results: Iterable[Mapping[str, Any] | None]) -> dict[str, Any]:
    """Count files by status; a mapped task that failed outright arrives as None."""
    rows = list(results)
    statuses = Counter(str(r.get("status")) if r else "failed" for r in rows)
    quarantined = [r["name"] for r in rows if r and r.get("status") == "quarantined"]
    return {
        "files": len(rows),
        "by_status": dict(sorted(statuses.items())),
        "rows_landed": sum(int(r.get("rows_landed") or 0) for r in rows if r),
        "quarantined": quarantined,
    }


def announce_landing(results: Iterable[Mapping[str, Any] | None]) -> dict[str, Any]:
    """Summarise the batch; skip (no lake asset event) when nothing new landed."""
    summary = summarise(results)
    if summary["by_status"].get("landed", 0) == 0:
        try:
            from airflow.sdk.exceptions import AirflowSkipException
        except ImportError:  # outside Airflow (unit tests): a plain exception says the same
            raise NothingLanded(str(summary)) from None
        raise AirflowSkipException(f"nothing new landed: {summary}")
    return summary
