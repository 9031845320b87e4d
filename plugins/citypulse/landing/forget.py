"""Deletion on request (个人信息保护法 第四十七条): ``citypulse forget --platform P --account ID``.

In this order, so that a crash at any step leaves a state the same command finishes:

1. the tombstone (:mod:`citypulse.landing.tombstones`): from then on no landing lets the account's
   rows in, whichever file brings them;
2. the lake: every entity row of the account (``platform``, ``account_id``) or of one of its posts
   (``post_id``) is removed, its file rewritten atomically through :class:`LakeStore` (or removed
   when nothing is left); each removed source row becomes one reject with the reason
   :data:`~citypulse.landing.tombstones.FORGOTTEN_REASON` and no record, and the ledger moves it from
   ``rows_landed`` to ``rows_rejected``, exactly as landing the file now would count it;
3. the audit trail: rejects of the account's rows (the ingest's rows, an ingest whose manifest
   names the account, or a record with the account or a post id as a cell) are replaced by those
   markers; ledger entries lose the account id (``account_id`` NULL, file-name parts that are the id
   or a name of the account read ``[forgotten]``); quality details quoting them say ``[forgotten]``;
4. ``raw/_tombstones.jsonl`` names the raw files that hold the account's rows: raw/ is immutable,
   so they stay, and an engineer must not land them again by hand without the tombstones in place;
5. the warehouse: build.duckdb keeps only what no build recreates (the account-history snapshot,
   without the account, and the audit history, scrubbed), copied into a new file so that no freed
   page of the old one holds the account's rows; then a full-refresh build audits and publishes.

Traps: raw files, the inbox, quarantined files, frozen evaluation runs and backups are not
touched; serving.duckdb holds the account until the rebuild publishes (an audit failure keeps the
old serving database, which still does: the command then exits 2 and says so).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import duckdb
import polars as pl

from citypulse.errors import CityPulseError
from citypulse.lake import ledger
from citypulse.lake.atomic import write_parquet, write_text
from citypulse.lake.schema import ENTITIES, REJECTS
from citypulse.lake.store import LakeStore, lake_store
from citypulse.landing import tombstones
from citypulse.landing.tombstones import FORGOTTEN
from citypulse.platforms import PLATFORMS
from citypulse.settings import Settings

RAW_TOMBSTONES = "_tombstones.jsonl"
# what a full-refresh build does not recreate, kept (scrubbed) in the new build database
_PERSISTENT_SCHEMAS = ("snapshots", "audit")


@dataclass
class ForgetOutcome:
    platform: str
    account_hash: str
    requested_at: datetime
    lake_rows_removed: dict[str, int] = field(default_factory=dict)
    rejects_removed: int = 0
    ledger_entries_scrubbed: int = 0
    quality_rows_scrubbed: int = 0
    warehouse_rows_removed: int = 0
    raw_files: list[str] = field(default_factory=list)
    build: Any = None  # BuildOutcome, when rebuilt

    @property
    def exit_code(self) -> int:
        return self.build.exit_code if self.build is not None else 0

    def to_json(self) -> dict[str, Any]:
        built = self.build.to_json() if self.build is not None else None
        return {
            "platform": self.platform,
            "account_hash": self.account_hash,
            "requested_at": self.requested_at.isoformat(),
            "lake_rows_removed": self.lake_rows_removed,
            "rejects_removed": self.rejects_removed,
            "ledger_entries_scrubbed": self.ledger_entries_scrubbed,
            "quality_rows_scrubbed": self.quality_rows_scrubbed,
            "warehouse_rows_removed": self.warehouse_rows_removed,
            "raw_files_holding_rows": self.raw_files,
            "build": built,
            "serving_clean": None if built is None else bool(built["published"]),
        }


def forget(
    settings: Settings,
    platform: str,
    account_id: str,
    reason: str | None = None,
    rebuild: bool = True,
) -> ForgetOutcome:
    """Forget one account everywhere the platform can rewrite, then rebuild and publish."""
    account_id = account_id.strip()
    if platform not in PLATFORMS:
        raise CityPulseError(f"unknown platform {platform!r}: one of {', '.join(PLATFORMS)}")
    if not account_id:
        raise CityPulseError("the account id is empty")
    settings.ensure()
    lake = lake_store(settings)
    requested_at = datetime.now(UTC)
    posts, names = _identifiers(lake, platform, account_id)
    account_hash, _ = tombstones.write(
        settings, platform, account_id, posts, reason or "request of the person", requested_at
    )
    outcome = ForgetOutcome(platform, account_hash, requested_at)

    entries = ledger.read_ledger(settings)
    named = set(
        entries.filter(
            (pl.col("account_id") == account_id)
            & (pl.col("platform").is_null() | (pl.col("platform") == platform))
        )["ingest_id"].to_list()
    )
    dead, remaining = _rewrite_lake(lake, platform, account_id, posts, outcome)
    # an ingest left with no lake row was the account's own export: its refused rows are theirs
    present = {ingest for entity in ENTITIES for ingest in lake.files(entity)}
    whole = named | (set(dead["ingest_id"].to_list()) - present)
    markers = _rewrite_rejects(settings, entries, platform, dead, whole, outcome)
    _rewrite_ledger(settings, platform, account_id, names, dead, remaining, markers, outcome)
    tokens = [account_id, *names, *posts]
    outcome.quality_rows_scrubbed = _scrub_quality(settings, tokens)
    touched = sorted(set(markers["ingest_id"].to_list()) | named)
    outcome.raw_files = sorted(
        set(entries.filter(pl.col("ingest_id").is_in(touched))["raw_path"].drop_nulls().to_list())
    )
    _list_beside_raw(settings, outcome, reason)
    outcome.warehouse_rows_removed = reset_warehouse(settings, platform, account_id, tokens)
    if rebuild:
        from citypulse.warehouse.build import build

        outcome.build = build(settings, full_refresh=True)
    return outcome


def _platform_files(lake: LakeStore, entity: str, platform: str) -> list[str]:
    return [p for paths in lake.files(entity).values() for p in paths if f"/platform={platform}/" in p]


def _identifiers(lake: LakeStore, platform: str, account_id: str) -> tuple[list[str], list[str]]:
    """The account's post ids and names, as the lake knows them (to find rows that name them)."""
    posts: set[str] = set()
    names: set[str] = set()
    for entity, schema in ENTITIES.items():
        if "account_id" not in schema:
            continue
        files = _platform_files(lake, entity, platform)
        if not files:
            continue
        rows = lake.read(files).filter(pl.col("account_id") == account_id)
        wanted = [c for c in ("post_id", "account_name") if c in schema]
        if not wanted:
            continue
        found = rows.select(wanted).collect()
        if "post_id" in found.columns:
            posts.update(found["post_id"].drop_nulls().to_list())
        if "account_name" in found.columns:
            names.update(n for n in found["account_name"].drop_nulls().to_list() if n.strip())
    return sorted(posts), sorted(names)


def _rewrite_lake(
    lake: LakeStore, platform: str, account_id: str, posts: list[str], outcome: ForgetOutcome
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Remove the account's rows from every entity file; returns the removed source rows
    (``ingest_id``, ``source_row``) and the source rows still in the files rewritten."""
    dead: list[pl.DataFrame] = []
    remaining: list[pl.DataFrame] = []
    post_ids = pl.Series(posts, dtype=pl.String)
    for entity, schema in ENTITIES.items():
        if "account_id" not in schema and "post_id" not in schema:
            continue
        condition = pl.lit(False)
        if "account_id" in schema:
            condition = condition | (pl.col("account_id") == account_id)
        if "post_id" in schema:
            condition = condition | pl.col("post_id").is_in(post_ids.implode())
        hit = (pl.col("platform") == platform) & condition.fill_null(False)
        removed = 0
        for path in _platform_files(lake, entity, platform):
            frame = lake.read([path]).collect()
            mask = frame.select(hit.alias("hit"))["hit"]
            if not mask.any():
                continue
            removed += int(mask.sum())
            dead.append(frame.filter(mask).select("ingest_id", "source_row"))
            kept = frame.filter(~mask)
            if kept.height:
                lake.write(path, kept)
                remaining.append(kept.select("ingest_id", "source_row"))
            else:
                lake.fs.rm(path)
        if removed:
            outcome.lake_rows_removed[entity] = removed
    lineage = {"ingest_id": pl.String, "source_row": pl.Int64}
    return (
        pl.concat([pl.DataFrame(schema=lineage), *dead]).unique(),
        pl.concat([pl.DataFrame(schema=lineage), *remaining]).unique(),
    )


def _rewrite_rejects(
    settings: Settings,
    entries: pl.DataFrame,
    platform: str,
    dead: pl.DataFrame,
    named: set[str],
    outcome: ForgetOutcome,
) -> pl.DataFrame:
    """Replace the account's rejects (and add one per removed lake row) by forgotten markers;
    ``named``: ingests all of whose rejects are the account's. Returns every marker row
    (``ingest_id``, ``source_row``) the rejects now hold for this request."""
    forgotten = tombstones.load(settings)
    platforms = dict(zip(entries["ingest_id"].to_list(), entries["platform"].to_list(), strict=True))
    markers: list[pl.DataFrame] = []
    ingests = set(dead["ingest_id"].to_list()) | named
    files = {p.stem: p for p in sorted(settings.rejects.glob("*.parquet"))}
    candidates = ingests | {i for i in files if platforms.get(i) in (platform, None)}
    for ingest_id in sorted(candidates):
        path = settings.rejects / f"{ingest_id}.parquet"
        rejects = pl.read_parquet(path) if path.is_file() else pl.DataFrame(schema=REJECTS)
        quoting = rejects["ingest_id"].is_in(list(named)) | forgotten.records_match(platform, rejects)
        gone = pl.concat(
            [
                rejects.filter(quoting).select("ingest_id", "source_row"),
                dead.filter(pl.col("ingest_id") == ingest_id),
            ]
        ).unique()
        if not gone.height:
            continue
        kept = rejects.join(gone, on=["ingest_id", "source_row"], how="anti")
        outcome.rejects_removed += rejects.height - kept.height
        mark = tombstones.forgotten_reject(gone)
        # a row forgotten by an earlier request is one marker, not two
        # a rejects file written before a later column (reason_code) reads it as empty
        result = (
            pl.concat([kept, mark], how="diagonal")
            .select(list(REJECTS))
            .unique(maintain_order=True)
            .sort("source_row", maintain_order=True)
        )
        write_parquet(path, result)
        markers.append(gone)
    return pl.concat([pl.DataFrame(schema={"ingest_id": pl.String, "source_row": pl.Int64}), *markers])


def _scrubbed_name(name: str | None, account_id: str, names: list[str]) -> str | None:
    """A file name whose parts (folders, zip members, the stem) that are the account's id or one
    of its names read ``[forgotten]``."""
    if name is None:
        return None
    secret = {account_id, *names}

    def part(piece: str) -> str:
        stem, dot, suffix = piece.rpartition(".")
        if piece in secret:
            return FORGOTTEN
        if dot and stem in secret:
            return f"{FORGOTTEN}.{suffix}"
        return piece

    return "".join(part(p) if p not in "/!" else p for p in re.split(r"([/!])", name))


def _rewrite_ledger(
    settings: Settings,
    platform: str,
    account_id: str,
    names: list[str],
    dead: pl.DataFrame,
    remaining: pl.DataFrame,
    markers: pl.DataFrame,
    outcome: ForgetOutcome,
) -> None:
    """Scrub the ledger entries, and count each removed row that left nothing in the lake as
    rejected instead of landed (one ledger file per entry: per-file metadata, not row work)."""
    moved = dead.join(remaining, on=["ingest_id", "source_row"], how="anti").group_by("ingest_id").len()
    moved_by_ingest = dict(zip(moved["ingest_id"].to_list(), moved["len"].to_list(), strict=True))
    for path in sorted(settings.ingests.glob("*.parquet")):
        entry = ledger.read_entry(path)
        if entry is None:
            continue
        changed = dict(entry)
        if entry["account_id"] == account_id and entry["platform"] in (platform, None):
            changed["account_id"] = None
        changed["original_name"] = _scrubbed_name(entry["original_name"], account_id, names)
        changed["error"] = _scrubbed_text(entry["error"], [account_id, *names])
        moved_rows = moved_by_ingest.get(entry["ingest_id"], 0)
        if moved_rows and entry["status"] == "landed":
            changed["rows_landed"] = max((entry["rows_landed"] or 0) - moved_rows, 0)
            changed["rows_rejected"] = (entry["rows_rejected"] or 0) + moved_rows
        if changed != entry:
            ledger.write_entry(path, **changed)
            outcome.ledger_entries_scrubbed += 1


def _scrubbed_text(text: str | None, secrets: list[str]) -> str | None:
    """A free text (a ledger note) with the account's id and names, as whole words, removed."""
    if text is None:
        return None
    for secret in sorted(secrets, key=len, reverse=True):
        text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", FORGOTTEN, text)
    return text


def _json_tokens(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Each token as a JSON string (how quality details quote values), and its replacement."""
    quoted = [json.dumps(t, ensure_ascii=False) for t in tokens if t]
    return quoted, [json.dumps(FORGOTTEN)] * len(quoted)


def _scrub_quality(settings: Settings, tokens: list[str]) -> int:
    """Quality details quote unexpected values: the account's id, names and post ids go."""
    patterns, replacements = _json_tokens(tokens)
    scrubbed = 0
    for path in sorted(settings.quality.glob("*.parquet")):
        frame = pl.read_parquet(path)
        clean = frame.with_columns(pl.col("details").str.replace_many(patterns, replacements))
        changed = int((clean["details"].ne_missing(frame["details"])).sum())
        if changed:
            metadata = pl.read_parquet_metadata(path)
            write_parquet(
                path, clean, metadata={k: v for k, v in metadata.items() if not k.startswith("ARROW")}
            )
            scrubbed += changed
    return scrubbed


def _list_beside_raw(settings: Settings, outcome: ForgetOutcome, reason: str | None) -> None:
    """raw/_tombstones.jsonl: one line per request, naming the raw files that hold the account's rows."""
    target = settings.raw / RAW_TOMBSTONES
    before = target.read_text(encoding="utf-8") if target.is_file() else ""
    line = {
        "platform": outcome.platform,
        "account_hash": outcome.account_hash,
        "requested_at": outcome.requested_at.isoformat(),
        "reason": reason,
        "raw_files": outcome.raw_files,
        "note": "rows of a forgotten account: landing drops them (lake/_tombstones); never land "
        "these files where those tombstones are missing",
    }
    write_text(target, before + json.dumps(line, ensure_ascii=False) + "\n")


def reset_warehouse(settings: Settings, platform: str, account_id: str, tokens: list[str]) -> int:
    """Replace build.duckdb by a new file holding only what a full refresh does not recreate (the
    account snapshot without the account, the audit history scrubbed); returns rows removed."""
    build_db = settings.build_db
    if not build_db.is_file():
        return 0
    removed = 0
    fresh = build_db.with_name(f".{build_db.name}.forget.tmp")
    fresh.unlink(missing_ok=True)
    patterns, replacements = _json_tokens(tokens)
    with duckdb.connect(str(build_db)) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_type = 'BASE TABLE' "
            "and table_schema in (select unnest(?))",
            [list(_PERSISTENT_SCHEMAS)],
        ).fetchall()
        if ("snapshots", "snap_accounts") in tables:
            keys = _account_keys(conn, platform, account_id)
            removed += _count(
                conn, "delete from snapshots.snap_accounts where account_key in (select unnest(?))", [keys]
            )
            removed += _count(
                conn,
                "delete from snapshots.snap_accounts where platform = ? and account_id = ?",
                [platform, account_id],
            )
        if ("audit", "check_results") in tables and patterns:
            for pattern, replacement in zip(patterns, replacements, strict=True):
                conn.execute(
                    "update audit.check_results set details = replace(details, ?, ?) where contains(details, ?)",
                    [pattern, replacement, pattern],
                )
        conn.execute(f"attach '{fresh}' as fresh")
        for schema, table in tables:
            conn.execute(f'create schema if not exists fresh."{schema}"')
            conn.execute(f'create table fresh."{schema}"."{table}" as select * from "{schema}"."{table}"')
        conn.execute("detach fresh")
    with open(fresh, "rb") as fh:
        os.fsync(fh.fileno())
    # the connection is closed (checkpointed): a write-ahead log left now would be replayed onto
    # the new file
    build_db.with_name(f"{build_db.name}.wal").unlink(missing_ok=True)
    os.replace(fresh, build_db)
    return removed


def _account_keys(conn: duckdb.DuckDBPyConnection, platform: str, account_id: str) -> list[str]:
    """The account's surrogate keys as the last build computed them (pseudonymised or not)."""
    try:
        rows = conn.execute(
            "select distinct account_key from intermediate.int_accounts where platform = ? and account_id = ?",
            [platform, account_id],
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [r[0] for r in rows]


def _count(conn: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> int:
    found = conn.execute(sql, params).fetchone()
    return int(found[0]) if found else 0
