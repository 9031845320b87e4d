"""TikTok Studio → Analytics → Content export (``Content.csv``): one row per recent video.

``Time, Video title, Video link, Post time, Total likes, Total comments, Total shares, Total
views``; an older xlsx variant has ``Video views, Likes, Comments, Shares, Add to Favorites``.

Traps (export-formats.md §6.2, real-exports/tiktok/…content…): UTF-8 BOM, all fields quoted, no
trailing newline; no id column: ``post_id`` is the number in the ``Video link``
(``…/@handle/video/<id>``), and the handle names the account when no manifest does; ``Time`` is
the snapshot day (kept in the raw record); ``Post time`` has no year (``July 16``, ``December
31``, Japanese ``5月21日``) and the list is the account's top videos, not its recent ones, so it
spans more than a year (real-exports/tiktok/supnohe…: ``5月23日`` is 2025 and ``5月21日`` 2026 in
one file). The year therefore comes from the video id, whose upper 32 bits are its creation time
in Unix seconds: the year in which the month and day fall within a day of that creation date
(Studio writes the day in the viewer's zone, up to a day off UTC). A yearless ``Post time`` that
is no such day of the id is refused. The older list variant writes ``2025/10/31 18:19:10`` with
a year and seconds, in UTC (the ids' creation times agree to the second); titles may be empty or end in spaces;
the same video can be listed twice: the first row is kept and the repeat refused with that
reason; the file is capped at ~15 videos, it is not a full list.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowRule, col, src
from citypulse.adapters.tiktok_studio_overview import TIKTOK_STUDIO_TZ
from citypulse.lake import reasons

VIDEO_LINK = r"(?i)tiktok\.com/@([^/?#]+)/video/(\d+)"


def _id_and_handle_from_link(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(
        post_id=pl.col("post_url").str.extract(VIDEO_LINK, 2),
        account_name=pl.coalesce(pl.col("account_name"), pl.col("post_url").str.extract(VIDEO_LINK, 1)),
    )


def _year_from_video_id(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    """``published_at`` of a yearless ``Post time`` moved to the year the video id says; the flag
    ``_post_time_not_id_day`` marks the rows whose day matches the id's creation date in no year."""
    if "src:post time" not in lf.collect_schema().names():
        return lf
    created = pl.from_epoch(
        pl.col("post_id").cast(pl.UInt64, strict=False) // (1 << 32), time_unit="s"
    ).dt.date()
    day = pl.col("published_at").dt.date()
    candidates = [
        pl.format("{}-{}-{}", created.dt.year() + k, day.dt.month(), day.dt.day()).str.strptime(
            pl.Date, "%Y-%m-%d", strict=False
        )
        for k in (-1, 0, 1)
    ]
    resolved = pl.coalesce([pl.when((c - created).abs() <= pl.duration(days=1)).then(c) for c in candidates])
    yearless = (
        ~pl.col("src:post time").str.contains(r"\d{4}").fill_null(True)
        & pl.col("published_at").is_not_null()
        & pl.col("post_id").is_not_null()
    )
    return lf.with_columns(
        published_at=pl.when(yearless & resolved.is_not_null())
        .then(pl.col("published_at") + (resolved - day))
        .otherwise(pl.col("published_at")),
        _post_time_not_id_day=yearless & resolved.is_null(),
    )


def _finish(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return _year_from_video_id(_id_and_handle_from_link(lf, ctx), ctx)


def _post_time_not_id_day() -> pl.Expr:
    return pl.col("_post_time_not_id_day")


def _link_without_video_id() -> pl.Expr:
    return pl.col("post_url").is_not_null() & pl.col("post_id").is_null()


def _repeated_video() -> pl.Expr:
    return pl.col("post_id").is_not_null() & ~pl.col("post_id").is_first_distinct()


ADAPTERS = [
    Adapter(
        name="tiktok_studio_content",
        platform="tiktok",
        entity="post_observations",
        description="TikTok Studio Content.csv: recent videos with lifetime totals",
        signature=("Video title", "Video link", "Post time"),
        columns=(
            col("title", "Video title"),
            col("post_url", "Video link"),
            col("published_at", "Post time", parser="datetime"),
            col("views", "Total views", "Video views", parser="count"),
            col("likes", "Total likes", "Likes", parser="count"),
            col("comments", "Total comments", "Comments", parser="count"),
            col("shares", "Total shares", "Shares", parser="count"),
            col("saves", "Add to Favorites", parser="count"),
        ),
        timezone=TIKTOK_STUDIO_TZ,
        finish=_finish,
        rules=(
            RowRule(
                "Video link",
                _link_without_video_id,
                "not a TikTok video link (…/@handle/video/<id>)",
                code=reasons.INVALID_ID,
            ),
            RowRule(
                "Post time",
                _post_time_not_id_day,
                "has no year and is not the creation day of the video id in any year",
                value=lambda: src("Post time"),
                code=reasons.INCONSISTENT_VALUE,
            ),
            RowRule(
                "Video link",
                _repeated_video,
                "the same video appears earlier in this file (first kept)",
                keys=("post_id",),
                code=reasons.DUPLICATE_KEY,
            ),
        ),
    )
]
