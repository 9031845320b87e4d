"""The immutable raw zone: every file's bytes, copied before parsing, never edited.

``raw/<platform>/<yyyy>/<mm>/<sha256>.<ext>`` (month of first landing). Copying is idempotent:
bytes already stored (under any month) are not copied again.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePosixPath

from citypulse.lake.atomic import copy_file, write_bytes
from citypulse.settings import Settings


def find_raw(settings: Settings, ingest_id: str) -> Path | None:
    return next(iter(sorted(settings.raw.glob(f"*/*/*/{ingest_id}.*"))), None)


def store_raw(
    settings: Settings, data: bytes | Path, ingest_id: str, name: str, platform: str, now: datetime
) -> Path:
    """Keep the bytes (in memory, or a big file's ``Path``, copied without reading it whole)."""
    existing = find_raw(settings, ingest_id)
    if existing is not None:
        return existing
    ext = (PurePosixPath(name.split("!")[-1]).suffix.lower().lstrip(".") or "bin")[:10]
    target = settings.raw / platform / f"{now:%Y}" / f"{now:%m}" / f"{ingest_id}.{ext}"
    if isinstance(data, Path):
        copy_file(data, target)
    else:
        write_bytes(target, data)
    _owner_only(settings.raw, target)
    return target


def _owner_only(root: Path, target: Path) -> None:
    """The copy readable by its owner only, its folders closed to others: raw files are whatever
    people dropped, secrets included, and nothing ever rewrites them."""
    target.chmod(0o400)
    folder = target.parent
    while folder != root.parent and root in (folder, *folder.parents):
        folder.chmod(0o700)
        folder = folder.parent
