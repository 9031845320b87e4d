"""What the land DAG does around its library calls: land one file, validate the batch, announce."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from citypulse.settings import Settings


class NothingLanded(Exception):
    """No new rows reached the lake: downstream must not be triggered."""


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
