"""The ingest ledger: one small parquet file per landed file, ``lake/_ingests/<ingest_id>.parquet``.

Per-file entries mean concurrent landing tasks never rewrite a shared file, and the entry is
written last, so its presence means "this file is done". A second copy of the same bytes under
another name gets its own ``<ingest_id>.dup-<name hash>.parquet`` entry with status ``duplicate``;
the original entry is never rewritten.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from citypulse.lake.atomic import write_parquet
from citypulse.lake.schema import INGESTS
from citypulse.settings import Settings


def entry_path(settings: Settings, ingest_id: str) -> Path:
    return settings.ingests / f"{ingest_id}.parquet"


def duplicate_entry_path(settings: Settings, ingest_id: str, name: str) -> Path:
    tag = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    return settings.ingests / f"{ingest_id}.dup-{tag}.parquet"


def write_entry(path: Path, **values: Any) -> None:
    write_parquet(path, pl.DataFrame([values], schema=INGESTS))


def read_entry(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    return pl.read_parquet(path).row(0, named=True)


def read_ledger(settings: Settings) -> pl.DataFrame:
    """Every ledger entry (landed, duplicate and quarantined)."""
    files = sorted(settings.ingests.glob("*.parquet"))
    if not files:
        return pl.DataFrame(schema=INGESTS)
    # entries written before a later column (reason_code) read it as NULL
    frame = pl.concat([pl.read_parquet(f) for f in files], how="diagonal_relaxed")
    return frame.select(
        (pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c) for c, t in INGESTS.items()
    )


def landed_at_now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
