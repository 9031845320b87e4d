"""YouTube exports: Studio advanced-mode zip (monthly), the Studio "Cities" audience table
(monthly) and Data API v3 video lists (weekly).

Traps (export-formats.md §3): ``Table data.csv`` starts with a ``Total`` row; ``Video publish time``
like ``Jun 27, 2023``; ``(%)`` columns 0-100; ``Average view duration`` H:MM:SS; an id starting
with ``-`` written with a leading space; Studio days are Pacific (manifest timezone). API
statistics are JSON strings and one video hides its likes (no ``likeCount`` key). The Cities table
(real-exports/youtube/dangertv-viewer-cities.csv) keys its rows by a Google Maps feature id, quotes
city names that hold commas, ends with a ``Showing top N results`` footer, has CRLF line ends and
does not state its date range (the folder manifest's period does).
"""

from __future__ import annotations

import json
from datetime import timedelta

import polars as pl

from citypulse.sample.common import accounts, daily_metrics, posts_of, snapshot
from citypulse.sample.files import csv_text, write_account_manifest, write_bytes, zip_bytes
from citypulse.sample.randomness import stream
from citypulse.sample.sink import Sink
from citypulse.sample.world import World

PACIFIC = "America/Los_Angeles"

# Where overseas viewers of Chinese city channels watch from: Studio's "City name" spelling.
VIEWER_CITIES = (
    "New York, NY, USA",
    "Los Angeles, CA, USA",
    "London, UK",
    "Singapore",
    "Sydney NSW, Australia",
    "Toronto, ON, Canada",
    "Kuala Lumpur, Federal Territory of Kuala Lumpur, Malaysia",
    "Bangkok, Thailand",
    "San Francisco, CA, USA",
    "Melbourne VIC, Australia",
    "Vancouver, BC, Canada",
    "Paris, France",
    "Tokyo, Japan",
    "Seoul, South Korea",
    "Berlin, Germany",
    "Dubai, United Arab Emirates",
    "Jakarta, Indonesia",
    "Auckland, New Zealand",
    "Seattle, WA, USA",
    "Ho Chi Minh City, Vietnam",
)


def _hms(seconds: pl.Expr) -> pl.Expr:
    s = seconds.cast(pl.Int64)
    return pl.format(
        "{}:{}:{}",
        s // 3600,
        ((s // 60) % 60).cast(pl.String).str.zfill(2),
        (s % 60).cast(pl.String).str.zfill(2),
    )


def write_studio(world: World, sink: Sink) -> None:
    for acc in accounts(world, "youtube"):
        posts = posts_of(world, "youtube", acc["account_id"])
        for at in world.calendar.monthly_exports:
            observed = snapshot(posts, at).sort("views", "post_no", descending=True)
            watch_h = pl.col("views") * pl.col("duration_s") * 0.45 / 3600
            table = observed.select(
                pl.when(pl.col("post_id").str.starts_with("-"))
                .then(pl.concat_str(pl.lit(" "), "post_id"))
                .otherwise(pl.col("post_id"))
                .alias("Content"),
                pl.col("title").alias("Video title"),
                pl.col("published_at")
                .dt.convert_time_zone(PACIFIC)
                .dt.strftime("%b %-d, %Y")
                .alias("Video publish time"),
                pl.col("duration_s").cast(pl.Int64).cast(pl.String).alias("Duration"),
                pl.col("views").cast(pl.String).alias("Views"),
                watch_h.round(4).cast(pl.String).alias("Watch time (hours)"),
                (pl.col("views") * 0.004).floor().cast(pl.Int64).cast(pl.String).alias("Subscribers"),
                (pl.col("views") * 9).cast(pl.String).alias("Impressions"),
                (100 / 9 * (0.6 + pl.col("share_rate") * 20))
                .round(2)
                .cast(pl.String)
                .alias("Impressions click-through rate (%)"),
                pl.col("likes").cast(pl.String).alias("Likes"),
                pl.col("comments").cast(pl.String).alias("Comments added"),
                pl.col("shares").cast(pl.String).alias("Shares"),
                _hms(pl.col("duration_s") * 0.45).alias("Average view duration"),
            )
            totals_row = observed.select(
                pl.lit("Total").alias("Content"),
                pl.lit("").alias("Video title"),
                pl.lit("").alias("Video publish time"),
                pl.lit("").alias("Duration"),
                pl.col("views").sum().cast(pl.String).alias("Views"),
                watch_h.sum().round(4).cast(pl.String).alias("Watch time (hours)"),
                (pl.col("views") * 0.004).floor().sum().cast(pl.Int64).cast(pl.String).alias("Subscribers"),
                (pl.col("views") * 9).sum().cast(pl.String).alias("Impressions"),
                pl.lit("1.21").alias("Impressions click-through rate (%)"),
                pl.col("likes").sum().cast(pl.String).alias("Likes"),
                pl.col("comments").sum().cast(pl.String).alias("Comments added"),
                pl.col("shares").sum().cast(pl.String).alias("Shares"),
                _hms((pl.col("duration_s") * 0.45).mean().fill_null(0)).alias("Average view duration"),
            )
            table = pl.concat([totals_row, table])
            last = at.date() - timedelta(days=1)
            daily = daily_metrics(world, "youtube", acc["account_id"], last - timedelta(days=27), last)
            totals = daily.select(
                pl.col("date").dt.strftime("%Y-%m-%d").alias("Date"),
                pl.col("views").cast(pl.String).alias("Views"),
                (pl.col("gained") - pl.col("lost")).cast(pl.String).alias("Subscribers"),
            )
            chart = (
                observed.head(3)
                .join(daily.select("date"), how="cross")
                .select(
                    pl.col("date").dt.strftime("%Y-%m-%d").alias("Date"),
                    pl.col("post_id").alias("Content"),
                    pl.col("title").alias("Video title"),
                    pl.col("published_at")
                    .dt.convert_time_zone(PACIFIC)
                    .dt.strftime("%b %-d, %Y")
                    .alias("Video publish time"),
                    pl.col("duration_s").cast(pl.Int64).cast(pl.String).alias("Duration"),
                    # per-day views of the top videos (an even split of their growth keeps the file small)
                    (pl.col("views") // 28).cast(pl.String).alias("Views"),
                )
            )
            members = {
                "Table data.csv": csv_text(table).encode(),
                "Chart data.csv": csv_text(chart).encode(),
                "Totals.csv": csv_text(totals).encode(),
            }
            start = last - timedelta(days=27)
            folder = sink.folder("youtube", acc["account_id"], at)
            channel = acc["account_name"].replace("'", "")
            path = folder / f"Content {start:%Y-%m-%d}_{last:%Y-%m-%d} {channel}.zip"
            write_bytes(path, zip_bytes(members))
            sink.record(path, "youtube_studio_zip", table.height - 1)
            write_account_manifest(folder, acc, at, PACIFIC)


def write_api_videos(world: World, sink: Sink) -> None:
    hidden_likes: set[str] = set()
    for acc in accounts(world, "youtube"):
        posts = posts_of(world, "youtube", acc["account_id"])
        if not hidden_likes and posts.height:
            hidden_likes.add(posts["post_id"][0])  # its owner hid the like count
        for at in world.calendar.weekly_exports:
            observed = snapshot(posts, at, at - timedelta(days=60))
            items = []
            for v in observed.select(
                "post_id",
                "published_at",
                "title",
                "body",
                "duration_s",
                "views",
                "likes",
                "comments",
                "topic1",
            ).to_dicts():
                stats = {
                    "viewCount": str(v["views"]),
                    "likeCount": str(v["likes"]),
                    "favoriteCount": "0",
                    "commentCount": str(v["comments"]),
                }
                if v["post_id"] in hidden_likes:
                    del stats["likeCount"]
                d = int(v["duration_s"])
                items.append(
                    {
                        "kind": "youtube#video",
                        "etag": f"e{v['post_id'][::-1]}",
                        "id": v["post_id"],
                        "snippet": {
                            "publishedAt": v["published_at"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                            "channelId": acc["account_id"],
                            "title": v["title"],
                            "description": v["body"],
                            "channelTitle": acc["account_name"],
                            "tags": [v["topic1"], "China", "travel"],
                            "categoryId": "19",
                            "liveBroadcastContent": "none",
                            "defaultAudioLanguage": "en",
                        },
                        "contentDetails": {
                            "duration": f"PT{d // 60}M{d % 60}S",
                            "dimension": "2d",
                            "definition": "hd",
                        },
                        "statistics": stats,
                    }
                )
            doc = {
                "kind": "youtube#videoListResponse",
                "etag": f"{acc['account_id']}-{at:%Y%m%d}",
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": 50},
            }
            folder = sink.folder("youtube", f"{acc['account_id']}_api", at)
            path = folder / f"videos_{at:%Y%m%dT%H%M}.json"
            write_bytes(path, json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"))
            sink.record(path, "youtube_api_videos", len(items))
            write_account_manifest(folder, acc, at, "UTC")


def write_studio_cities(world: World, sink: Sink) -> None:
    """The Studio "Cities" table of each channel for the 28 days before each monthly export.

    The cities share most of the channel's views (the rest of the world is not listed); each
    channel has its own order of cities, so the demo's audience charts differ by channel.
    """
    for acc in accounts(world, "youtube"):
        posts = posts_of(world, "youtube", acc["account_id"])
        rng = stream(world.seed, f"youtube-cities-{acc['account_id']}")
        order = rng.permutation(len(VIEWER_CITIES))
        weights = 0.8 ** pl.Series(range(len(VIEWER_CITIES)), dtype=pl.Float64)
        feature_ids = [f"0x{a:016x}:0x{b:x}" for a, b in rng.integers(0, 2**63, size=(len(VIEWER_CITIES), 2))]
        mean_s = float(posts.select(pl.col("duration_s").mean()).item() or 300.0)
        for at in world.calendar.monthly_exports:
            last = at.date() - timedelta(days=1)
            start = last - timedelta(days=27)
            views = int(daily_metrics(world, "youtube", acc["account_id"], start, last)["views"].sum())
            cities = pl.DataFrame(
                {
                    "key": [feature_ids[i] for i in order],
                    "name": [VIEWER_CITIES[i] for i in order],
                    "weight": weights / weights.sum() * 0.7,
                    "watched_s": rng.uniform(0.3, 0.6, len(VIEWER_CITIES)) * mean_s,
                }
            )
            table = (
                cities.with_columns((pl.col("weight") * views).floor().cast(pl.Int64).alias("views"))
                .filter(pl.col("views") > 0)
                .sort("views", descending=True, maintain_order=True)
                .select(
                    pl.col("key").alias("Cities"),
                    pl.col("name").alias("City name"),
                    pl.col("views").cast(pl.String).alias("Views"),
                    (pl.col("views") * pl.col("watched_s") / 3600)
                    .round(4)
                    .cast(pl.String)
                    .alias("Watch time (hours)"),
                    _hms(pl.col("watched_s")).alias("Average view duration"),
                )
            )
            footer = pl.DataFrame(
                {"Cities": [f"Showing top {table.height} results"]} | {c: [""] for c in table.columns[1:]}
            )
            text = csv_text(pl.concat([table, footer]), newline="\r\n")
            folder = sink.folder("youtube", f"{acc['account_id']}_audience", at)
            channel = acc["account_name"].replace("'", "")
            path = folder / f"Cities {start:%Y-%m-%d}_{last:%Y-%m-%d} {channel}.csv"
            write_bytes(path, text.encode("utf-8"))
            sink.record(path, "youtube_studio_cities", table.height)
            write_account_manifest(folder, acc, at, PACIFIC, period=(start, last))
