"""Where the lake's entity files live: the data home, or any fsspec URL (S3/MinIO for a cluster).

``CITYPULSE_LAKE_URL`` (default: ``<data home>/lake``) is the root of the entity files
``<entity>/platform=<platform>/<ingest_id>.parquet``. Any URL fsspec understands works:
``s3://bucket/citypulse/lake`` (with ``s3fs`` installed; credentials from the usual AWS variables,
``AWS_ENDPOINT_URL`` for MinIO), ``file:///srv/lake``, ``memory://lake`` (tests). The audit trail
stays in the data home whatever the URL: ``raw/``, the ledger (``lake/_ingests``), rejects,
quality results and ``quarantine/`` (they are small, and the landing's idempotency and crash
recovery rely on local atomic renames and locks).

Local roots keep the atomic write (temporary name, fsync, rename). Object stores need none: an
object appears whole when its upload completes, so a crash leaves no partial file either.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import fsspec
import polars as pl
from fsspec.implementations.local import LocalFileSystem

from citypulse.lake.atomic import PARQUET_OPTIONS, sink_parquet, write_parquet
from citypulse.settings import Settings

LAKE_URL_ENV = "CITYPULSE_LAKE_URL"


@dataclass(frozen=True)
class LakeStore:
    url: str  # as configured
    fs: fsspec.AbstractFileSystem
    root: str  # the root inside ``fs`` (no protocol)

    @property
    def local(self) -> bool:
        return isinstance(self.fs, LocalFileSystem)

    def entity_file(self, entity: str, platform: str, ingest_id: str) -> str:
        return f"{self.root.rstrip('/')}/{entity}/platform={platform}/{ingest_id}.parquet"

    def write(self, path: str, frame: pl.DataFrame) -> None:
        if self.local:
            write_parquet(Path(path), frame)
            return
        buffer = io.BytesIO()
        frame.write_parquet(buffer, **PARQUET_OPTIONS)
        self.fs.pipe_file(path, buffer.getvalue())

    def sink(self, path: str, rows: pl.LazyFrame) -> None:
        """:meth:`write` for rows streamed from a lazy frame (never all in memory)."""
        if self.local:
            sink_parquet(Path(path), rows)
            return
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / "part.parquet"
            rows.sink_parquet(local, **PARQUET_OPTIONS)
            self.fs.put_file(str(local), path)

    def files(self, entity: str) -> dict[str, list[str]]:
        """An entity's files by ingest id (one per platform the ingest wrote), sorted."""
        found: dict[str, list[str]] = {}
        pattern = f"{self.root.rstrip('/')}/{entity}/platform=*/*.parquet"
        for path in sorted(str(p) for p in self.fs.glob(pattern)):
            name = path.rsplit("/", 1)[-1]
            if not name.startswith("."):  # a local write's temporary file is not a lake file
                found.setdefault(name.removesuffix(".parquet"), []).append(path)
        return found

    def read(self, paths: list[str]) -> pl.LazyFrame:
        """The rows of these files (same schema: the lake contract) as one frame."""
        if self.local:
            return pl.scan_parquet(paths)
        return pl.concat([pl.read_parquet(io.BytesIO(self.fs.cat_file(p))) for p in paths]).lazy()


def lake_store(settings: Settings) -> LakeStore:
    """The lake of this data home: ``CITYPULSE_LAKE_URL`` when set, else ``<home>/lake``."""
    url = os.environ.get(LAKE_URL_ENV) or str(settings.lake)
    fs, root = fsspec.core.url_to_fs(url)
    return LakeStore(url, fs, root)
