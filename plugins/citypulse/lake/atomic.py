"""Writes that are all-or-nothing: a temporary hidden name, fsync, then ``os.replace``.

A crash leaves at most a ``.<name>.<pid>.tmp`` file that no reader globs (readers match
``*.parquet``); the next write of the same target removes it once its process is gone.
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl


def _temp_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove_stale_temps(target: Path) -> None:
    """Temporaries of ``target`` left by killed writers (a live writer's is its own business)."""
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid = stale.name[len(target.name) + 2 : -len(".tmp")]
        if pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; once written, it is fsynced and renamed onto ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(target)
    tmp = _temp_for(target)
    yield tmp
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def write_bytes(target: Path, data: bytes) -> None:
    with _replacing(target) as tmp:
        tmp.write_bytes(data)


def copy_file(source: Path, target: Path) -> None:
    """``source``'s bytes to ``target``, streamed (a big export is never held in memory)."""
    with _replacing(target) as tmp:
        shutil.copyfile(source, tmp)


# zstd at level 1: as small as the default level 3 on exports (34 against 35 MB for a million
# weibo rows) and a quarter faster to write
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 1, "statistics": True}


def sink_parquet(target: Path, rows: pl.LazyFrame) -> None:
    """:func:`write_parquet` for rows too many to hold: streamed from ``rows`` (e.g. the parquet
    parts of a file landed in row batches) into the one file."""
    with _replacing(target) as tmp:
        rows.sink_parquet(tmp, **PARQUET_OPTIONS)


def write_parquet(target: Path, frame: pl.DataFrame, metadata: dict[str, str] | None = None) -> None:
    """``metadata``: key-value pairs for the parquet footer (facts about the file, not its rows)."""
    with _replacing(target) as tmp:
        frame.write_parquet(tmp, metadata=metadata, **PARQUET_OPTIONS)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
