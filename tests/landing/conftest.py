"""Helpers for landing tests: build inbox trees, read back the lake."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from citypulse.settings import Settings


def place(inbox: Path, source: Path, relative: str, manifest: str | None = None) -> Path:
    """Copy a file into ``inbox/<relative>`` (optionally with a folder manifest) and return it."""
    target = inbox / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    if manifest is not None:
        (target.parent / "_manifest.yaml").write_text(manifest, encoding="utf-8")
    return target


def read_lake(settings: Settings, entity: str) -> pl.DataFrame:
    files = sorted((settings.lake / entity).glob("platform=*/*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame()


def read_zone(folder: Path) -> pl.DataFrame:
    files = sorted(folder.glob("*.parquet"))
    return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed") if files else pl.DataFrame()


def lake_state(settings: Settings) -> dict[str, pl.DataFrame]:
    """Every parquet file under the lake, keyed by path, without the columns that record wall time."""
    state = {}
    for path in sorted(settings.lake.rglob("*.parquet")):
        frame = pl.read_parquet(path)
        state[path.relative_to(settings.home).as_posix()] = frame.drop(
            [c for c in ("landed_at", "checked_at") if c in frame.columns]
        )
    return state


@pytest.fixture
def inbox(home: Settings) -> Path:
    return home.inbox
