"""TikTok Studio exports: one zip per account and month, plus one loose Spanish-locale Overview.

Traps (export-formats.md §6.2): UTF-8 BOM, every field quoted, no trailing newline; yearless dates
(``August 9``; Spanish ``9 de agosto``); ``undefined`` for days without data yet; Content.csv
capped at 15 videos with ``Time`` = the snapshot day; the follower difference column is next day
minus this day (TikTok's own bug); data lags the export by about two days.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from citypulse.sample.common import accounts, daily_metrics, posts_of, snapshot
from citypulse.sample.files import csv_text, write_account_manifest, write_bytes, zip_bytes
from citypulse.sample.formatting import yearless
from citypulse.sample.sink import Sink
from citypulse.sample.world import World
from citypulse.settings import LOCAL_TZ

LAG = timedelta(days=2)


def _quoted(frame: pl.DataFrame) -> bytes:
    return ("\ufeff" + csv_text(frame, quote="always").rstrip("\n")).encode("utf-8")


def _overview(daily: pl.DataFrame, locale: str = "en") -> pl.DataFrame:
    return daily.select(
        yearless("date", locale).alias("Date"),
        pl.col("views").cast(pl.String).alias("Video Views"),
        (pl.col("views") // 60).cast(pl.String).alias("Profile Views"),
        pl.col("likes").cast(pl.String).alias("Likes"),
        pl.col("comments").cast(pl.String).alias("Comments"),
        pl.col("shares").cast(pl.String).alias("Shares"),
    )


def write_studio(world: World, sink: Sink) -> None:
    tiktok_accounts = accounts(world, "tiktok")
    for acc in tiktok_accounts:
        posts = posts_of(world, "tiktok", acc["account_id"])
        for at in world.calendar.monthly_exports:
            last = at.date() - timedelta(days=1)
            observed = snapshot(posts, at).head(15)
            content = observed.select(
                yearless(pl.lit(at.date())).alias("Time"),
                pl.concat_str("title", pl.lit(" #"), "topic1", pl.lit(" ")).alias("Video title"),
                pl.concat_str(pl.lit(f"https://www.tiktok.com/@{acc['account_id']}/video/"), "post_id").alias(
                    "Video link"
                ),
                yearless(pl.col("published_at").dt.convert_time_zone(LOCAL_TZ).dt.date()).alias("Post time"),
                pl.col("likes").cast(pl.String).alias("Total likes"),
                pl.col("comments").cast(pl.String).alias("Total comments"),
                pl.col("shares").cast(pl.String).alias("Total shares"),
                pl.col("views").cast(pl.String).alias("Total views"),
            )
            daily = daily_metrics(world, "tiktok", acc["account_id"], last - timedelta(days=59), last)
            # the last two days are not processed yet: TikTok writes "undefined" (unknown, not zero)
            pending = pl.col("date") > (at.date() - LAG - timedelta(days=1))
            followers = daily.select(
                yearless("date").alias("Date"),
                pl.when(pending)
                .then(pl.lit("undefined"))
                .otherwise(pl.col("followers").cast(pl.String))
                .alias("Followers"),
                pl.when(pending)
                .then(pl.lit("0"))
                .otherwise((pl.col("followers").shift(-1) - pl.col("followers")).fill_null(0).cast(pl.String))
                .alias("Difference in followers from previous day"),
            )
            members = {
                "Content.csv": _quoted(content),
                "Overview.csv": _quoted(_overview(daily.filter(~pending))),
                "FollowerHistory.csv": _quoted(followers),
            }
            folder = sink.folder("tiktok", acc["account_id"], at)
            path = folder / f"TikTok_Studio_{acc['account_id']}_{int(at.timestamp())}.zip"
            write_bytes(path, zip_bytes(members))
            sink.record(path, "tiktok_studio_zip", content.height)
            write_account_manifest(folder, acc, at, LOCAL_TZ)
    if tiktok_accounts:
        _write_spanish_overview(world, sink, tiktok_accounts[-1])


def _write_spanish_overview(world: World, sink: Sink, acc: dict[str, str]) -> None:
    """A teammate with a Spanish UI exported the last week's Overview on its own."""
    at = world.calendar.last_export
    last = at.date() - LAG - timedelta(days=1)
    daily = daily_metrics(world, "tiktok", acc["account_id"], last - timedelta(days=6), last)
    folder = sink.folder("tiktok", f"{acc['account_id']}_es", at)
    path = folder / "Overview.csv"
    frame = _overview(daily, "es")
    write_bytes(path, _quoted(frame))
    sink.record(path, "tiktok_overview_es", frame.height)
    write_account_manifest(folder, acc, at, LOCAL_TZ)
