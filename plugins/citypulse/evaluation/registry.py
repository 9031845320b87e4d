"""Which runs exist and which one is official: read from the frozen manifests and status files.

A run's manifest (``run_id=<id>/eval_run.parquet``) is never edited. Making a run unofficial
appends ``_status/<run_id>.<seq>.parquet``; the highest ``seq`` of a run is its current status.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from citypulse.evaluation.frozen import RUN_DIR_PREFIX, STATUS_DIR, write_once

STATUS_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "seq": pl.Int64(),
    "is_official": pl.Boolean(),
    "changed_at": pl.Datetime("us", "UTC"),
    "reason": pl.String(),
}


def runs(evaluations: Path) -> pl.DataFrame:
    """Every finished run's manifest with its current ``is_official`` (status files applied)."""
    manifests = sorted(evaluations.glob(f"{RUN_DIR_PREFIX}*/eval_run.parquet"))
    if not manifests:
        return pl.DataFrame(
            schema={
                "run_id": pl.String(),
                "period": pl.String(),
                "methodology_version": pl.String(),
                "is_official": pl.Boolean(),
                "started_at": pl.Datetime("us", "UTC"),
            }
        )
    frame = pl.concat([pl.read_parquet(p) for p in manifests], how="diagonal_relaxed")
    statuses = sorted((evaluations / STATUS_DIR).glob("*.parquet"))
    if statuses:
        latest = (
            pl.concat([pl.read_parquet(p) for p in statuses], how="diagonal_relaxed")
            .sort("seq")
            .group_by("run_id")
            .agg(pl.col("is_official").last().alias("current_official"))
        )
        frame = (
            frame.join(latest, on="run_id", how="left")
            .with_columns(is_official=pl.coalesce("current_official", "is_official"))
            .drop("current_official")
        )
    return frame.sort("started_at")


def official_run(evaluations: Path, period: str, methodology_version: str) -> str | None:
    """The current official run of a period under a methodology version, if any."""
    frame = runs(evaluations).filter(
        (pl.col("period") == period)
        & (pl.col("methodology_version") == methodology_version)
        & pl.col("is_official")
    )
    return None if frame.is_empty() else str(frame["run_id"][-1])


def mark_unofficial(evaluations: Path, run_id: str, reason: str) -> Path:
    """Append a status change (the next ``seq`` for this run); the run's own files stay untouched."""
    folder = evaluations / STATUS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    seq = 1 + max((int(p.stem.rsplit(".", 1)[1]) for p in folder.glob(f"{run_id}.*.parquet")), default=0)
    change = pl.DataFrame(
        {
            "run_id": [run_id],
            "seq": [seq],
            "is_official": [False],
            "changed_at": [datetime.now(UTC)],
            "reason": [reason],
        },
        schema=STATUS_SCHEMA,
    )
    return write_once(folder / f"{run_id}.{seq}.parquet", change)
