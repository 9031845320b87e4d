"""Does the data home agree with the ledger? Orphan lake files and raw copies that changed.

The ledger is the truth: the warehouse publishes only rows of ingests it records as landed. A lake
file whose ingest has no such entry (a crash, or a ledger that could not be written, between the
two writes) is an *orphan*: harmless to the warehouse, but a sign of trouble worth reporting. And
each landed file's raw copy is the evidence behind its rows: it must still exist and hash to the
ingest id it is filed under (``deep``: reads every raw file).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from citypulse.landing import ledger
from citypulse.settings import Settings

_NOT_ENTITIES = {"_ingests", "_rejects", "_quality"}


@dataclass
class LedgerAudit:
    orphans: list[str] = field(default_factory=list)  # lake files (relative to the home)
    raw_problems: list[str] = field(default_factory=list)  # one line per missing or changed raw file
    raw_checked: int = 0


def _landed_ids(settings: Settings) -> set[str]:
    entries = ledger.read_ledger(settings)
    return set(entries.filter(pl.col("status") == "landed")["ingest_id"].to_list())


def orphan_lake_files(settings: Settings) -> list[str]:
    """Lake entity and reject files whose ingest the ledger does not record as landed."""
    landed = _landed_ids(settings)
    found = [
        path
        for entity in sorted(p for p in settings.lake.glob("*") if p.is_dir() and p.name not in _NOT_ENTITIES)
        for path in sorted(entity.glob("platform=*/*.parquet"))
    ] + sorted(settings.rejects.glob("*.parquet"))
    return [p.relative_to(settings.home).as_posix() for p in found if p.stem not in landed]


def _digest(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def raw_problems(settings: Settings, deep: bool) -> tuple[int, list[str]]:
    """For every ledger entry with a raw copy: it exists and (``deep``) hashes to its ingest id."""
    entries = ledger.read_ledger(settings).filter(pl.col("raw_path").is_not_null())
    problems: list[str] = []
    pairs = sorted(set(zip(entries["ingest_id"].to_list(), entries["raw_path"].to_list(), strict=True)))
    for ingest_id, raw_path in pairs:
        path = settings.home / raw_path
        if not path.is_file():
            problems.append(f"{raw_path}: missing (ingest {ingest_id})")
        elif deep and _digest(path) != ingest_id:
            problems.append(f"{raw_path}: its bytes no longer hash to its ingest id {ingest_id}")
    return len(pairs), problems


def audit(settings: Settings, deep: bool = False) -> LedgerAudit:
    checked, problems = raw_problems(settings, deep)
    return LedgerAudit(orphan_lake_files(settings), problems, checked)
