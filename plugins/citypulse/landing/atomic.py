"""Writes that are all-or-nothing: a temporary hidden name, fsync, then ``os.replace``.

A crash leaves at most a ``.*.tmp`` file that no reader globs (readers match ``*.parquet``);
the next run overwrites it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl

_COPY_PIECE = 16 << 20


def _temp_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(target)
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def copy_file(source: Path, target: Path) -> None:
    """``source``'s bytes to ``target``, streamed (a big export is never held in memory)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(target)
    with open(source, "rb") as src, open(tmp, "wb") as fh:
        shutil.copyfileobj(src, fh, _COPY_PIECE)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def sink_parquet(target: Path, rows: pl.LazyFrame) -> None:
    """:func:`write_parquet` for rows too many to hold: streamed from ``rows`` (e.g. the parquet
    parts of a file landed in row batches) into the one file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(target)
    rows.sink_parquet(tmp, compression="zstd", statistics=True)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def write_parquet(target: Path, frame: pl.DataFrame, metadata: dict[str, str] | None = None) -> None:
    """``metadata``: key-value pairs for the parquet footer (facts about the file, not its rows)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_for(target)
    frame.write_parquet(tmp, compression="zstd", statistics=True, metadata=metadata)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
