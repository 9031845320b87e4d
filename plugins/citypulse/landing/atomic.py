"""Writes that are all-or-nothing: a temporary hidden name, fsync, then ``os.replace``.

A crash leaves at most a ``.*.tmp`` file that no reader globs (readers match ``*.parquet``);
the next run overwrites it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl


def _temp_for(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


@contextmanager
def _replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target``; once written, it is fsynced and renamed onto ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
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


def sink_parquet(target: Path, rows: pl.LazyFrame) -> None:
    """:func:`write_parquet` for rows too many to hold: streamed from ``rows`` (e.g. the parquet
    parts of a file landed in row batches) into the one file."""
    with _replacing(target) as tmp:
        rows.sink_parquet(tmp, compression="zstd", statistics=True)


def write_parquet(target: Path, frame: pl.DataFrame, metadata: dict[str, str] | None = None) -> None:
    """``metadata``: key-value pairs for the parquet footer (facts about the file, not its rows)."""
    with _replacing(target) as tmp:
        frame.write_parquet(tmp, compression="zstd", statistics=True, metadata=metadata)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))
