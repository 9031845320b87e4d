"""X exports: account-analytics content (overlapping windows), account overview, legacy tweet activity.

Traps (export-formats.md §4): date-only ``Date`` (``Sat, Sep 12, 2026``) with the time recoverable
from the Snowflake ``Post id``; overlapping exports (de-duplicate by id, newest file wins); overview
quoted dates, newest first, no trailing newline; the legacy 40-column file fully quoted with float
strings, ``-`` promoted metrics and a UTC ``time`` with ``+0000``.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from citypulse.sample.common import accounts, daily_metrics, posts_of, primary_accounts, snapshot
from citypulse.sample.douyin import crawl_times
from citypulse.sample.files import write_account_manifest, write_csv
from citypulse.sample.sink import Sink
from citypulse.sample.world import World

LEGACY_COLUMNS = [
    "Tweet id",
    "Tweet permalink",
    "Tweet text",
    "time",
    "impressions",
    "engagements",
    "engagement rate",
    "retweets",
    "replies",
    "likes",
    "user profile clicks",
    "url clicks",
    "hashtag clicks",
    "detail expands",
    "permalink clicks",
    "app opens",
    "app installs",
    "follows",
    "email tweet",
    "dial phone",
    "media views",
    "media engagements",
    "promoted impressions",
    "promoted engagements",
    "promoted engagement rate",
    "promoted retweets",
    "promoted replies",
    "promoted likes",
    "promoted user profile clicks",
    "promoted url clicks",
    "promoted hashtag clicks",
    "promoted detail expands",
    "promoted permalink clicks",
    "promoted app opens",
    "promoted app installs",
    "promoted follows",
    "promoted email tweet",
    "promoted dial phone",
    "promoted media views",
    "promoted media engagements",
]
WINDOW = timedelta(days=28)


def _s(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Int64).cast(pl.String)


def _interactions(frame: pl.DataFrame) -> pl.DataFrame:
    v = pl.col("views")
    return frame.with_columns(
        bookmarks=pl.col("saves"),
        x_shares=(pl.col("shares") * 0.3).floor(),
        new_follows=(v * 0.0015).floor(),
        profile_visits=(v * 0.01).floor(),
        detail_expands=(v * 0.02).floor(),
        url_clicks=(v * 0.004).floor(),
        hashtag_clicks=(v * 0.002).floor(),
        permalink_clicks=(v * 0.003).floor(),
    ).with_columns(
        engagements=pl.col("likes")
        + pl.col("comments")
        + pl.col("shares")
        + pl.col("bookmarks")
        + pl.col("x_shares")
        + pl.col("profile_visits")
        + pl.col("detail_expands")
        + pl.col("url_clicks")
        + pl.col("hashtag_clicks")
        + pl.col("permalink_clicks")
    )


def write_content(world: World, sink: Sink) -> None:
    officials = accounts(world, "x")
    primary = primary_accounts(officials)
    for acc in officials:
        posts = posts_of(world, "x", acc["account_id"])
        times = sorted(set(crawl_times(world) + world.calendar.monthly_exports))
        if acc["account_id"] not in primary:
            times = world.calendar.monthly_exports
        for at in times:
            observed = _interactions(snapshot(posts, at, at - WINDOW))
            frame = observed.select(
                pl.col("post_id").alias("Post id"),
                pl.col("published_at").dt.strftime("%a, %b %-d, %Y").alias("Date"),
                pl.concat_str("title", pl.lit(" "), "body").alias("Post text"),
                pl.concat_str(pl.lit(f"https://x.com/{acc['account_name']}/status/"), "post_id").alias(
                    "Post Link"
                ),
                _s(pl.col("views")).alias("Impressions"),
                _s(pl.col("likes")).alias("Likes"),
                _s(pl.col("engagements")).alias("Engagements"),
                _s(pl.col("bookmarks")).alias("Bookmarks"),
                _s(pl.col("x_shares")).alias("Shares"),
                _s(pl.col("new_follows")).alias("New follows"),
                _s(pl.col("comments")).alias("Replies"),
                _s(pl.col("shares")).alias("Reposts"),
                _s(pl.col("profile_visits")).alias("Profile visits"),
                _s(pl.col("detail_expands")).alias("Detail Expands"),
                _s(pl.col("url_clicks")).alias("URL Clicks"),
                _s(pl.col("hashtag_clicks")).alias("Hashtag Clicks"),
                _s(pl.col("permalink_clicks")).alias("Permalink Clicks"),
            )
            start = (at - WINDOW).date()
            end = at.date() - timedelta(days=1)
            folder = sink.folder("x", acc["account_id"], at)
            path = folder / f"account_analytics_content_{start:%Y-%m-%d}_{end:%Y-%m-%d}.csv"
            sink.record(path, "x_content", write_csv(path, frame))
            write_account_manifest(folder, acc, at, "UTC")


def write_overview(world: World, sink: Sink) -> None:
    for acc in accounts(world, "x"):
        for at in world.calendar.monthly_exports:
            last = at.date() - timedelta(days=1)
            d = daily_metrics(world, "x", acc["account_id"], last - timedelta(days=29), last).sort(
                "date", descending=True
            )
            frame = d.select(
                pl.col("date").dt.strftime("%a, %b %-d, %Y").alias("Date"),
                _s(pl.col("views")).alias("Impressions"),
                _s(pl.col("likes")).alias("Likes"),
                _s(pl.col("likes") + pl.col("comments") + pl.col("shares") + pl.col("views") // 50).alias(
                    "Engagements"
                ),
                _s(pl.col("likes") // 20).alias("Bookmarks"),
                _s(pl.col("shares") // 3).alias("Shares"),
                _s(pl.col("gained")).alias("New follows"),
                _s(pl.col("lost")).alias("Unfollows"),
                _s(pl.col("comments")).alias("Replies"),
                _s(pl.col("shares")).alias("Reposts"),
                _s(pl.col("views") // 100).alias("Profile visits"),
                pl.lit("0").alias("Create Post"),
                _s(pl.col("views") // 4).alias("Video views"),
                _s(pl.col("views") // 3).alias("Media views"),
            )
            folder = sink.folder("x", f"{acc['account_id']}_overview", at)
            path = folder / "account_overview_analytics.csv"
            sink.record(path, "x_overview", write_csv(path, frame, trailing_newline=False))
            write_account_manifest(folder, acc, at, "UTC")


def write_tweet_activity(world: World, sink: Sink) -> None:
    """One account still downloads the legacy monthly tweet-activity file."""
    acc = accounts(world, "x")[0]
    posts = posts_of(world, "x", acc["account_id"])
    for month, at in zip(world.calendar.period_months, world.calendar.monthly_exports, strict=False):
        since = pl.datetime(month.year, month.month, 1, time_zone="UTC")
        observed = _interactions(snapshot(posts, at)).filter(
            (pl.col("published_at") >= since)
            & (pl.col("published_at") < pl.lit(at).cast(pl.Datetime("us", "UTC")))
            & (pl.col("published_at").dt.month() == month.month)
        )

        def f(expr: pl.Expr) -> pl.Expr:
            return pl.format("{}.0", expr.cast(pl.Int64))

        cols = {
            "Tweet id": pl.col("post_id"),
            "Tweet permalink": pl.concat_str(
                pl.lit(f"https://twitter.com/{acc['account_name']}/status/"), "post_id"
            ),
            "Tweet text": pl.concat_str("title", pl.lit("\n"), "body"),
            "time": pl.col("published_at").dt.strftime("%Y-%m-%d %H:%M +0000"),
            "impressions": f(pl.col("views")),
            "engagements": f(pl.col("engagements")),
            "engagement rate": (pl.col("engagements") / pl.col("views").clip(lower_bound=1)).cast(pl.String),
            "retweets": f(pl.col("shares")),
            "replies": f(pl.col("comments")),
            "likes": f(pl.col("likes")),
            "user profile clicks": f(pl.col("profile_visits")),
            "url clicks": f(pl.col("url_clicks")),
            "hashtag clicks": f(pl.col("hashtag_clicks")),
            "detail expands": f(pl.col("detail_expands")),
            "permalink clicks": f(pl.col("permalink_clicks")),
            "app opens": pl.lit("0.0"),
            "app installs": pl.lit("0.0"),
            "follows": f(pl.col("new_follows")),
            "email tweet": pl.lit("0.0"),
            "dial phone": pl.lit("0.0"),
            "media views": f(pl.col("views") // 3),
            "media engagements": f(pl.col("views") // 40),
        }
        frame = observed.select([cols.get(c, pl.lit("-")).alias(c) for c in LEGACY_COLUMNS])
        last = at.date().replace(day=1)
        folder = sink.folder("x", f"{acc['account_id']}_legacy", at)
        path = folder / f"tweet_activity_metrics_{acc['account_name']}_{month:%Y%m%d}_{last:%Y%m%d}_en.csv"
        sink.record(path, "x_tweet_activity", write_csv(path, frame, quote="always"))
        write_account_manifest(folder, acc, at, "UTC")
