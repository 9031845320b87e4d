"""Meta Business Suite exports: Facebook and Instagram post exports, Facebook page-level daily file.

Traps (export-formats.md §5-6): UTF-8 BOM; the quoted ``Reactions, Comments and Shares`` column
(capitalisation varies by month); ``Date`` = ``Lifetime``; ``Publish time`` ``MM/DD/YYYY HH:MM`` in
the page's time zone; 32-34 columns depending on the month's negative-feedback columns; captions in
Title or Description, multi-line with embedded quotes and math-bold letters; permalinks whose
pfbid token changes between exports; each month exported twice (lifetime totals drift). The page
daily file is UTF-16 LE with a ``sep=,`` line and a title line before the header.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from citypulse.sample.common import accounts, daily_metrics, posts_of, snapshot
from citypulse.sample.files import write_account_manifest, write_csv
from citypulse.sample.randomness import stream, token
from citypulse.sample.sink import Sink
from citypulse.sample.world import World
from citypulse.settings import LOCAL_TZ

FB_BASE = [
    "Post ID",
    "Page ID",
    "Page name",
    "Title",
    "Description",
    "Duration (sec)",
    "Publish time",
    "Caption type",
    "Permalink",
    "Is crosspost",
    "Is share",
    "Post type",
    "Languages",
    "Custom labels",
    "Funded content status",
    "Data comment",
    "Date",
    "Views",
    "Reach",
    "Reactions, Comments and Shares",
    "Reactions",
    "Comments",
    "Shares",
    "Total clicks",
    "Other Clicks",
    "Link Clicks",
    "Matched Audience Targeting Consumption (Photo Click)",
    "Matched Audience Targeting Consumption (Video Click)",
    "Seconds viewed",
    "Average Seconds viewed",
    "Estimated earnings (USD)",
    "Ad CPM (USD)",
]
NEGATIVE_FEEDBACK = ["Negative feedback from users: Hide all", "Negative feedback from users: Hide"]
IG_COLUMNS = [
    "Post ID",
    "Account ID",
    "Account username",
    "Account name",
    "Description",
    "Duration (sec)",
    "Publish time",
    "Permalink",
    "Post type",
    "Data comment",
    "Date",
    "Views",
    "Reach",
    "Likes",
    "Shares",
    "Follows",
    "Comments",
    "Saves",
]


def export_times(world: World) -> list[tuple[date, datetime]]:
    """(month, export time): each month exported on the 7th after it and re-exported 14 days later."""
    out = []
    for month, at in zip(world.calendar.period_months, world.calendar.monthly_exports, strict=False):
        out.append((month, at))
        again = at + timedelta(days=14)
        if again.date() < world.calendar.today:
            out.append((month, again))
    return out


def _month_posts(posts: pl.DataFrame, month: date, at: datetime) -> pl.DataFrame:
    start = datetime(month.year, month.month, 1)
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1)
    local = pl.col("published_at").dt.convert_time_zone(LOCAL_TZ).dt.replace_time_zone(None)
    return snapshot(posts, at).filter((local >= start) & (local < end))


def _file_name(month: date, page_id: str) -> str:
    end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1) - timedelta(days=1)
    return f"{month:%b-%d-%Y}_{end:%b-%d-%Y}_{page_id}.csv"


def write_facebook_posts(world: World, sink: Sink) -> None:
    for acc in accounts(world, "facebook"):
        posts = posts_of(world, "facebook", acc["account_id"])
        for month, at in export_times(world):
            observed = _month_posts(posts, month, at)
            rng = stream(world.seed, f"fb/{acc['account_id']}/{at:%Y%m%d}")
            m = month.month % 3  # column set drifts month to month: 32, 33 or 34 columns
            columns = FB_BASE + NEGATIVE_FEEDBACK[:m]
            rcs = "Reactions, Comments and Shares" if m != 1 else "Reactions, comments and shares"
            kind = (
                pl.when(pl.col("is_image"))
                .then(pl.lit("Photos"))
                .when(pl.col("duration_s") < 60)
                .then(pl.lit("Reels"))
                .otherwise(pl.lit("Videos"))
            )
            caption = pl.concat_str(
                pl.when(pl.col("u_tpl") % 10 == 0).then(pl.lit("𝐍𝐄𝐖 ")).otherwise(pl.lit("")),
                "title",
                pl.when(pl.col("u_tpl") % 4 == 0)
                .then(pl.lit('\n"Come and see," says our guide.\n'))
                .otherwise(pl.lit("\n")),
                "body",
            )
            values = {
                "Post ID": pl.col("post_id"),
                "Page ID": pl.lit(acc["account_id"]),
                "Page name": pl.lit(acc["account_name"]),
                "Title": pl.when(kind == "Photos").then(pl.lit("")).otherwise(caption),
                "Description": pl.when(kind == "Photos").then(caption).otherwise(pl.lit("")),
                "Duration (sec)": pl.when(pl.col("is_image"))
                .then(pl.lit("0"))
                .otherwise(pl.col("duration_s").cast(pl.Int64).cast(pl.String)),
                "Publish time": pl.col("published_at")
                .dt.convert_time_zone(LOCAL_TZ)
                .dt.strftime("%m/%d/%Y %H:%M"),
                "Caption type": pl.lit("N/A"),
                "Permalink": pl.concat_str(
                    pl.lit(f"https://www.facebook.com/{acc['account_id']}/posts/pfbid0"),
                    pl.Series(token(rng, observed.height, 28)),
                ),
                "Is crosspost": pl.lit("0"),
                "Is share": pl.lit("0"),
                "Post type": kind,
                "Date": pl.lit("Lifetime"),
                "Views": pl.col("views").cast(pl.String),
                "Reach": (pl.col("views") * 0.7).floor().cast(pl.Int64).cast(pl.String),
                rcs: (pl.col("likes") + pl.col("comments") + pl.col("shares")).cast(pl.String),
                "Reactions": pl.col("likes").cast(pl.String),
                "Comments": pl.col("comments").cast(pl.String),
                "Shares": pl.col("shares").cast(pl.String),
                "Total clicks": (pl.col("views") * 0.03).floor().cast(pl.Int64).cast(pl.String),
                "Other Clicks": (pl.col("views") * 0.02).floor().cast(pl.Int64).cast(pl.String),
                "Link Clicks": (pl.col("views") * 0.01).floor().cast(pl.Int64).cast(pl.String),
                "Matched Audience Targeting Consumption (Photo Click)": pl.lit("0"),
                "Matched Audience Targeting Consumption (Video Click)": pl.lit("0"),
                "Seconds viewed": (pl.col("views") * pl.col("duration_s") * 0.3)
                .floor()
                .cast(pl.Int64)
                .cast(pl.String),
                "Average Seconds viewed": (pl.col("duration_s") * 0.3).round(1).cast(pl.String),
                "Estimated earnings (USD)": pl.lit("0"),
                "Ad CPM (USD)": pl.lit("0"),
                NEGATIVE_FEEDBACK[0]: (pl.col("views") // 2000).cast(pl.String),
                NEGATIVE_FEEDBACK[1]: (pl.col("views") // 5000).cast(pl.String),
            }
            names = [rcs if c == "Reactions, Comments and Shares" else c for c in columns]
            frame = observed.select([values.get(c, pl.lit("")).alias(c) for c in names])
            folder = sink.folder("facebook", acc["account_id"], at)
            path = folder / _file_name(month, acc["account_id"])
            sink.record(path, "facebook_posts", write_csv(path, frame, bom=True))
            write_account_manifest(folder, acc, at, LOCAL_TZ)
        _write_page_daily(world, sink, acc)


def _write_page_daily(world: World, sink: Sink, acc: dict[str, str]) -> None:
    """Daily new follows of the page for each month (page-level export, UTF-16 LE)."""
    for month, at in zip(world.calendar.period_months, world.calendar.monthly_exports, strict=False):
        end = datetime(month.year + month.month // 12, month.month % 12 + 1, 1).date() - timedelta(days=1)
        d = daily_metrics(world, "facebook", acc["account_id"], month, end)
        frame = d.select(
            pl.col("date").dt.strftime("%Y-%m-%dT00:00:00").alias("Date"),
            pl.col("gained").cast(pl.String).alias("Primary"),
        )
        folder = sink.folder("facebook", f"{acc['account_id']}_page", at)
        path = folder / "Follows.csv"
        sink.record(
            path,
            "facebook_page_daily",
            write_csv(
                path,
                frame,
                encoding="utf-16-le",
                bom=True,
                quote="always",
                newline="\r\n",
                preamble='sep=,\r\n"Facebook follows"\r\n',
            ),
        )
        write_account_manifest(folder, acc, at, LOCAL_TZ)


def write_instagram_posts(world: World, sink: Sink) -> None:
    for acc in accounts(world, "instagram"):
        posts = posts_of(world, "instagram", acc["account_id"])
        username = acc["account_name"].lower().replace(" ", "").replace("'", "")
        for month, at in export_times(world):
            observed = _month_posts(posts, month, at)
            kind = (
                pl.when(pl.col("is_image") & (pl.col("u_tpl") % 2 == 0))
                .then(pl.lit("IG carousel"))
                .when(pl.col("is_image"))
                .then(pl.lit("IG image"))
                .otherwise(pl.lit("IG reel"))
            )
            frame = observed.select(
                pl.col("post_id").alias("Post ID"),
                pl.lit(acc["account_id"]).alias("Account ID"),
                pl.lit(username).alias("Account username"),
                pl.lit(acc["account_name"]).alias("Account name"),
                pl.concat_str("title", pl.lit("\n"), "body").alias("Description"),
                pl.when(pl.col("is_image"))
                .then(pl.lit("0"))
                .otherwise(pl.col("duration_s").cast(pl.Int64).cast(pl.String))
                .alias("Duration (sec)"),
                pl.col("published_at")
                .dt.convert_time_zone(LOCAL_TZ)
                .dt.strftime("%m/%d/%Y %H:%M")
                .alias("Publish time"),
                pl.concat_str(
                    pl.lit("https://www.instagram.com/"),
                    pl.when(kind == "IG reel").then(pl.lit("reel/")).otherwise(pl.lit("p/")),
                    "shortcode",
                    pl.lit("/"),
                ).alias("Permalink"),
                kind.alias("Post type"),
                pl.lit("").alias("Data comment"),
                pl.lit("Lifetime").alias("Date"),
                pl.col("views").cast(pl.String).alias("Views"),
                (pl.col("views") * 0.75).floor().cast(pl.Int64).cast(pl.String).alias("Reach"),
                pl.col("likes").cast(pl.String).alias("Likes"),
                pl.col("shares").cast(pl.String).alias("Shares"),
                (pl.col("views") // 700).cast(pl.String).alias("Follows"),
                pl.col("comments").cast(pl.String).alias("Comments"),
                pl.col("saves").cast(pl.String).alias("Saves"),
            )
            folder = sink.folder("instagram", acc["account_id"], at)
            path = folder / _file_name(month, acc["account_id"])
            sink.record(path, "instagram_posts", write_csv(path, frame, bom=True))
            write_account_manifest(folder, acc, at, LOCAL_TZ)
