"""Tombstones: the accounts forgotten on request (个人信息保护法 第四十七条), matched without their ids.

``lake/_tombstones/<platform>-<hash>.parquet`` (one small file per forgotten account, local like
the ledger): one row per identifier of that person — the account itself and each of its posts —
as a keyed hash (:func:`keyed_hashes`), never the identifier. A tombstone must recognise the
account's rows in any file landed later, so it needs either the id or a keyed hash of it; the hash
keeps the request list itself from becoming a list of the people who asked to be forgotten.

Traps:

- The hash is keyed with the PII key (:mod:`citypulse.warehouse.pii`). A tombstone made under
  another key matches nothing, which would silently let the account's rows back in: each row
  carries the fingerprint of its key (``key_id``) and :func:`load` refuses to work under a
  different key. Rotating the key therefore needs the tombstones re-made from the ids.
- The hash input is domain-separated (``tombstone|<kind>|<platform>|<id>``), so a tombstone hash
  never equals the pseudonym the marts show for the same account.
- Rejected rows have no typed columns: their raw record (JSON of the row's cells) is matched cell
  by cell, exact values only (an id inside a longer text is not a cell match).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from citypulse.adapters.engine import Outcome
from citypulse.errors import CityPulseError
from citypulse.lake import reasons
from citypulse.lake.atomic import write_parquet
from citypulse.lake.schema import REJECTS, UTC_TS
from citypulse.settings import Settings
from citypulse.warehouse.pii import pii_key

FORGOTTEN_REASON = "forgotten on request (个人信息保护法 第四十七条)"
FORGOTTEN = "[forgotten]"  # what stands where a forgotten identifier was (file names, notes)

TOMBSTONES: dict[str, pl.DataType] = {
    "platform": pl.String(),
    "kind": pl.String(),  # account | post
    "id_hash": pl.String(),  # keyed_hashes(kind, platform, id)
    "key_id": pl.String(),  # fingerprint of the PII key the hash was made with
    "reason": pl.String(),
    "requested_at": UTC_TS,
}

# a JSON string inside a reject's record: the cells (and column names) of the raw row
_JSON_STRING = r'"((?:[^"\\]|\\.)*)"'


def folder(settings: Settings) -> Path:
    return settings.lake / "_tombstones"


def key_id(key: str) -> str:
    """A fingerprint that tells keys apart without revealing them."""
    return hashlib.sha256(f"citypulse-pii-key-id|{key}".encode()).hexdigest()[:16]


def keyed_hashes(frame: pl.DataFrame, key: str) -> pl.Series:
    """The keyed hash of each row of ``frame`` (String columns ``kind``, ``platform``, ``id``):
    ``sha256(key || sha256(key || 'tombstone|kind|platform|id'))`` (no length extension), hex.
    Computed by DuckDB over whole columns; NULL ids give NULL."""
    with duckdb.connect() as conn:
        conn.register("ids", frame.select("kind", "platform", "id").to_arrow())
        hashed = conn.sql(
            "select sha256($k || sha256($k || 'tombstone|' || kind || '|' || platform || '|' || id)) as h "
            "from ids",
            params={"k": key},
        ).to_arrow_table()
    return pl.Series("id_hash", hashed.column("h").to_pylist() if hashed.num_rows else [], pl.String)


@dataclass(frozen=True)
class Tombstones:
    """Every tombstone of a data home, with the key its hashes are checked under."""

    rows: pl.DataFrame  # TOMBSTONES
    key: str

    @property
    def empty(self) -> bool:
        return self.rows.height == 0

    def matches(self, kind: str, platform: pl.Series, ids: pl.Series) -> pl.Series:
        """Whether each (platform, id) is a tombstoned identifier of ``kind`` (False for NULL ids).
        Only distinct pairs are hashed."""
        pairs = pl.DataFrame({"platform": platform.cast(pl.String), "id": ids.cast(pl.String)})
        if self.empty or pairs.height == 0:
            return pl.Series("forgotten", [False] * pairs.height, pl.Boolean)
        distinct = pairs.unique().drop_nulls().with_columns(kind=pl.lit(kind))
        distinct = distinct.with_columns(keyed_hashes(distinct, self.key))
        dead = self.rows.filter(pl.col("kind") == kind).select("platform", "id_hash").unique()
        flagged = distinct.join(dead, on=["platform", "id_hash"], how="semi").select(
            "platform", "id", pl.lit(True).alias("forgotten")
        )
        return (
            pairs.join(flagged, on=["platform", "id"], how="left", nulls_equal=False, maintain_order="left")
            .get_column("forgotten")
            .fill_null(False)
        )

    def scrubbed_name(self, name: str, platform: str | None) -> str:
        """A file name whose parts (folders, zip members, stems) that are a forgotten account's id
        read ``[forgotten]`` (a crawler names its files after the account)."""
        if self.empty:
            return name
        pieces = re.split(r"([/!])", name)
        stems = [p.rpartition(".")[0] or p for p in pieces]
        platforms = [platform] if platform else self.rows["platform"].unique().to_list()
        hit = pl.Series([False] * len(pieces), dtype=pl.Boolean)
        for candidate in platforms:
            for column in (pieces, stems):
                ids = pl.Series(column, dtype=pl.String)
                hit = hit | self.matches("account", pl.Series([candidate] * len(ids), dtype=pl.String), ids)
        return "".join(
            piece if not forgotten or piece in "/!" else FORGOTTEN + piece[len(stem) :]
            for piece, stem, forgotten in zip(pieces, stems, hit.to_list(), strict=True)
        )

    def records_match(self, platform: str, rejects: pl.DataFrame) -> pl.Series:
        """Whether each reject's raw record (or refused value) holds a tombstoned account or post
        id as a whole cell."""
        if self.empty or rejects.height == 0:
            return pl.Series("forgotten", [False] * rejects.height, pl.Boolean)
        numbered = rejects.with_row_index("_reject")
        cells = pl.concat(
            [
                numbered.select(
                    "_reject",
                    pl.col("record")
                    .str.extract_all(_JSON_STRING)
                    .list.eval(pl.element().str.slice(1).str.head(-1))
                    .alias("cell"),
                ).explode("cell"),
                numbered.select("_reject", pl.col("value").alias("cell")),
            ]
        ).drop_nulls("cell")
        hit = pl.Series("forgotten", [False] * cells.height, pl.Boolean)
        platforms = pl.Series([platform] * cells.height, dtype=pl.String)
        for kind in ("account", "post"):
            hit = hit | self.matches(kind, platforms, cells["cell"])
        rows = cells.filter(hit).get_column("_reject").unique()
        return pl.int_range(0, rejects.height, eager=True).is_in(rows.implode()).alias("forgotten")


def load(settings: Settings) -> Tombstones:
    """The data home's tombstones; refuses (rather than let forgotten rows back) when any was
    hashed with another PII key than the current one."""
    files = sorted(folder(settings).glob("*.parquet"))
    rows = pl.concat([pl.read_parquet(f) for f in files]) if files else pl.DataFrame(schema=TOMBSTONES)
    key = pii_key(settings.home) if rows.height else ""
    if rows.height:
        other = rows.filter(pl.col("key_id") != key_id(key)).height
        if other:
            raise CityPulseError(
                f"{other} tombstone row(s) in {folder(settings)} were hashed with another PII key "
                "(CITYPULSE_PII_KEY changed?): landing refuses, since forgotten accounts would come "
                "back; restore the key, or forget those accounts again under the new one"
            )
    return Tombstones(rows, key)


def write(
    settings: Settings, platform: str, account_id: str, post_ids: list[str], reason: str, requested_at: object
) -> tuple[str, Path]:
    """Record the tombstone of one account (and its known posts); returns the account's hash and
    the file. Forgetting the same account again replaces its file (the latest request and posts)."""
    key = pii_key(settings.home)
    ids = pl.DataFrame(
        {
            "kind": ["account", *(["post"] * len(post_ids))],
            "platform": [platform] * (1 + len(post_ids)),
            "id": [account_id, *post_ids],
        },
        schema={"kind": pl.String, "platform": pl.String, "id": pl.String},
    ).unique(maintain_order=True)
    frame = ids.select(
        "platform",
        "kind",
        keyed_hashes(ids, key),
        pl.lit(key_id(key)).alias("key_id"),
        pl.lit(reason, pl.String).alias("reason"),
        pl.lit(requested_at, UTC_TS).alias("requested_at"),
    )
    account_hash = str(frame.row(0, named=True)["id_hash"])
    target = folder(settings) / f"{platform}-{account_hash[:32]}.parquet"
    if target.is_file():  # posts learnt by an earlier request stay tombstoned
        earlier = pl.read_parquet(target).filter(pl.col("kind") == "post")
        frame = pl.concat([frame, earlier.with_columns(frame.select("reason", "requested_at").row(0))])
        frame = frame.unique(["kind", "id_hash"], keep="first", maintain_order=True)
    write_parquet(target, frame.select(list(TOMBSTONES)))
    return account_hash, target


def scrubbed_entry(settings: Settings, entry: dict[str, Any], platform: str | None) -> dict[str, Any]:
    """A ledger entry without a forgotten account's id (its ``account_id``, its file name parts)."""
    forgotten = load(settings)
    if forgotten.empty:
        return entry
    account = entry.get("account_id")
    named = platform is not None and account is not None
    if named and forgotten.matches("account", pl.Series([platform]), pl.Series([account])).item():
        entry = {**entry, "account_id": None}
    return {**entry, "original_name": forgotten.scrubbed_name(entry["original_name"], platform)}


def forgotten_reject(rows: pl.DataFrame) -> pl.DataFrame:
    """One reject per forgotten source row (``ingest_id``, ``source_row``): the reason, no record."""
    return rows.select(
        pl.col("ingest_id").cast(pl.String),
        pl.col("source_row").cast(pl.Int64),
        pl.lit(None, pl.String).alias("column"),
        pl.lit(None, pl.String).alias("value"),
        pl.lit(FORGOTTEN_REASON).alias("reason"),
        pl.lit(reasons.FORGOTTEN).alias("reason_code"),
        pl.lit(None, pl.String).alias("record"),
    ).cast(REJECTS)  # type: ignore[arg-type]


def forgotten_rows(tombstones: Tombstones, frame: pl.DataFrame) -> pl.Series:
    """Whether each lake row belongs to a tombstoned account or post (by the columns it has)."""
    hit = pl.Series("forgotten", [False] * frame.height, pl.Boolean)
    if tombstones.empty or frame.height == 0 or "platform" not in frame.columns:
        return hit
    for kind, column in (("account", "account_id"), ("post", "post_id")):
        if column in frame.columns:
            hit = hit | tombstones.matches(kind, frame["platform"], frame[column])
    return hit


def drop_forgotten(tombstones: Tombstones, outcome: Outcome) -> Outcome:
    """The outcome without the rows of forgotten accounts: each such source row becomes one reject
    with :data:`FORGOTTEN_REASON` and no record, and its other rejects (which quote the raw row)
    are dropped, as are rejects whose record holds a forgotten id (and see :func:`wholly_forgotten`)."""
    if tombstones.empty:
        return outcome
    landed, rejects = outcome.landed, outcome.rejects
    hit = forgotten_rows(tombstones, landed)
    dead = landed.filter(hit).select("ingest_id", "source_row").unique()
    quoting = tombstones.records_match(outcome.adapter.platform, rejects)
    if not dead.height and not quoting.any():
        return outcome
    dropped = rejects.filter(quoting).select("ingest_id", "source_row")
    gone = pl.concat([dead, dropped]).unique().sort("source_row")
    kept_rejects = rejects.join(gone, on=["ingest_id", "source_row"], how="anti")
    rejects = pl.concat([kept_rejects, forgotten_reject(gone)]).sort("source_row", maintain_order=True)
    kept = landed.filter(~hit)
    return replace(outcome, landed=kept, rejects=rejects if kept.height else wholly_forgotten(rejects))


def wholly_forgotten(rejects: pl.DataFrame) -> pl.DataFrame:
    """The rejects of a table that landed nothing but forgotten rows: that account's export (one
    account per file), so every refused row is theirs too, whatever its cells say; all become
    markers. Decided over the whole table (a file landed in row batches: over every batch)."""
    if not rejects.filter(pl.col("reason") == FORGOTTEN_REASON).height:
        return rejects
    return forgotten_reject(rejects.select("ingest_id", "source_row").unique().sort("source_row"))
