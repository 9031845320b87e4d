"""What the land DAG does around its library calls: land the files, validate the batch, announce.

Files are landed by mapped tasks: one file per task for an ordinary drop, so each file is its own
task in the UI; a big drop (a first sync of a crawler's archive) is split into at most
``MAX_LAND_TASKS`` groups of neighbouring files, because every task costs a process start and
Airflow refuses to map more than ``[core] max_map_length`` (1024) values at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from citypulse.settings import Settings


class NothingLanded(Exception):
    """No new rows reached the lake: downstream must not be triggered."""


MAX_LAND_TASKS = 32


def land_groups(paths: Sequence[str], max_tasks: int = MAX_LAND_TASKS) -> list[list[str]]:
    """``paths`` (sorted) in at most ``max_tasks`` contiguous groups of equal size (the last one
    smaller): one file per group when there are no more files than tasks."""
    if max_tasks < 1:
        raise ValueError(f"max_tasks must be at least 1, got {max_tasks}")
    size = max(1, -(-len(paths) // max_tasks))
    return [list(paths[i : i + size]) for i in range(0, len(paths), size)]


def land_group(settings: Settings, paths: Iterable[str]) -> list[dict[str, Any]]:
    """Land each file of one group (a file's own failure is its result, never the group's)."""
    return [land_path(settings, path) for path in paths]


def per_file(groups: Iterable[Iterable[Mapping[str, Any]] | None]) -> list[Mapping[str, Any] | None]:
    """The mapped tasks' results as one entry per file; a group whose task failed stays one None."""
    out: list[Mapping[str, Any] | None] = []
    for group in groups:
        if group is None:
            out.append(None)
        else:
            out.extend(group)
    return out


def land_path(settings: Settings, path: str) -> dict[str, Any]:
    """Land one inbox file; the CLI's JSON for it plus the ingest ids it landed (for validation)."""
    from citypulse.landing.runner import land_file

    result = land_file(settings, Path(path), settings.inbox)
    return {**result.to_json(), "ingest_ids": result.landed_ingest_ids()}


def validate_landed(settings: Settings, results: Iterable[Mapping[str, Any] | None]) -> dict[str, Any]:
    """Run the lake GX suites once over the batch: ingests the mapped tasks landed, plus any an
    earlier run landed but did not validate. A failed land task arrives as None and adds nothing."""
    from citypulse.quality.lake_batch import pending_ingests, validate_ingests

    landed = {i for r in results if r for i in r.get("ingest_ids") or []}
    batch = landed | set(pending_ingests(settings))
    quality = validate_ingests(settings, batch)
    return {
        "batch_id": quality["run_id"][0] if quality.height else None,
        "ingests": len(batch),
        "checks": quality.height,
        "by_status": dict(sorted(Counter(quality["status"].to_list()).items())),
    }


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
    """Summarise the batch, tell the team about quarantined files, and skip (no lake asset
    event) when nothing new landed."""
    from citypulse.notify import notify_quarantined

    rows = list(results)
    summary = summarise(rows)
    notify_quarantined(rows)
    if summary["by_status"].get("landed", 0) == 0:
        try:
            from airflow.sdk.exceptions import AirflowSkipException
        except ImportError:  # outside Airflow (unit tests): a plain exception says the same
            raise NothingLanded(str(summary)) from None
        raise AirflowSkipException(f"nothing new landed: {summary}")
    return summary
