"""Writes that are all-or-nothing: a temporary hidden name, fsync, then ``os.replace``.

A crash leaves at most a ``.*.tmp`` file that no reader globs (readers match ``*.parquet``);
the next run overwrites it.
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl


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
