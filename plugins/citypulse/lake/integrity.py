"""Does the data home agree with the ledger? Orphan lake files and raw copies that changed.

The ledger is the truth: the warehouse publishes only rows of ingests it records as landed. A lake
file whose ingest has no such entry (a crash, or a ledger that could not be written, between the
two writes) is an *orphan*: harmless to the warehouse, but a sign of trouble worth reporting. And
each landed file's raw copy is the evidence behind its rows: it must still exist and hash to the
ingest id it is filed under (``deep``: reads every raw file).

:func:`record` keeps the latest result as ``lake/_integrity/checks.parquet``, one row per check,
which the warehouse publishes as ``ops_integrity_checks`` (the dashboard 数据管道健康):
``citypulse doctor`` writes it after its checks, ``citypulse build`` (shallow) before dbt runs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from citypulse.lake import ledger
from citypulse.lake.atomic import write_parquet
from citypulse.lake.schema import UTC_TS
from citypulse.settings import Settings

_NOT_ENTITIES = {"_ingests", "_rejects", "_quality", "_integrity"}
_SHOWN = 5  # findings named in a check's detail (the count is always complete)
ORPHANS = "ledger:orphan lake files"
RAW_COPIES = "ledger:raw copies"
# one row per check (dbt source lake.integrity_checks; keep the two in step)
CHECKS_SCHEMA: dict[str, pl.DataType] = {
    "check_name": pl.String(),
    "ok": pl.Boolean(),
    "findings": pl.Int64(),
    "detail": pl.String(),
    "checked_at": UTC_TS,
    "deep": pl.Boolean(),
}


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


@dataclass(frozen=True)
class IntegrityCheck:
    """One check of an audit as people read it: ``doctor`` prints it, the dashboard shows it."""

    name: str
    ok: bool
    findings: int
    detail: str


def summarise(found: LedgerAudit, deep: bool) -> list[IntegrityCheck]:
    """The audit as its two checks: orphan lake files, and raw copies present (``deep``: hashing)."""
    orphans, problems = found.orphans, found.raw_problems
    how = "exists and hashes to its ingest id" if deep else "exists (--deep also hashes each)"
    return [
        IntegrityCheck(
            ORPHANS,
            not orphans,
            len(orphans),
            "none: every lake file's ingest is in the ledger as landed"
            if not orphans
            else f"{len(orphans)} without a landed ledger entry (never published): "
            + ", ".join(orphans[:_SHOWN]),
        ),
        IntegrityCheck(
            RAW_COPIES,
            not problems,
            len(problems),
            f"{found.raw_checked} checked: each {how}"
            if not problems
            else f"{len(problems)} of {found.raw_checked}: " + "; ".join(problems[:_SHOWN]),
        ),
    ]


def checks_path(settings: Settings) -> Path:
    return settings.lake / "_integrity" / "checks.parquet"


def record(settings: Settings, checks: list[IntegrityCheck], deep: bool) -> Path:
    """Replace the recorded result with ``checks`` (atomically: a reader sees one audit whole)."""
    checked_at = datetime.now(UTC)
    frame = pl.DataFrame(
        [(c.name, c.ok, c.findings, c.detail, checked_at, deep) for c in checks],
        schema=CHECKS_SCHEMA,
        orient="row",
    )
    path = checks_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet(path, frame)
    return path


def audit_and_record(settings: Settings, deep: bool = False) -> list[IntegrityCheck]:
    """Audit the data home and record the result for the dashboard; nothing before anything landed."""
    checks = summarise(audit(settings, deep), deep) if settings.ingests.is_dir() else []
    record(settings, checks, deep)
    return checks
