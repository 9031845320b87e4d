"""Publish: the audited build database becomes serving.duckdb in one atomic rename.

Readers open serving.duckdb read-only per query; os.replace swaps the directory entry, so a reader
sees either the old file or the new one, never a half-written file.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import duckdb

from citypulse.errors import CityPulseError
from citypulse.settings import Settings

# A published database must at least hold these (a copy that lacks them is not swapped in).
REQUIRED_MARTS = ("dim_post", "dim_account", "fct_post_daily", "ops_quality_results")


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(settings: Settings) -> Path:
    build_db, serving_db = settings.build_db, settings.serving_db
    if not build_db.exists():
        raise CityPulseError(f"nothing to publish: {build_db} does not exist (run `citypulse build`)")
    # Fold any write-ahead log into the file, so the copy is complete on its own.
    with duckdb.connect(str(build_db)) as conn:
        conn.execute("checkpoint")
    candidate = serving_db.with_name(f".serving-{uuid.uuid4().hex}.duckdb.tmp")
    try:
        shutil.copyfile(build_db, candidate)
        with open(candidate, "rb+") as handle:
            os.fsync(handle.fileno())
        with duckdb.connect(str(candidate), read_only=True) as conn:
            present = {
                row[0] for row in conn.execute("select table_name from information_schema.tables").fetchall()
            }
        missing = [name for name in REQUIRED_MARTS if name not in present]
        if missing:
            raise CityPulseError(f"not publishing {build_db}: marts missing: {', '.join(missing)}")
        os.replace(candidate, serving_db)
        _fsync_directory(serving_db.parent)
    finally:
        candidate.unlink(missing_ok=True)
    return serving_db
