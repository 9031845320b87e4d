"""TikTok Studio → Analytics → Content export (``Content.csv``): one row per recent video.

``Time, Video title, Video link, Post time, Total likes, Total comments, Total shares, Total
views``; an older xlsx variant has ``Video views, Likes, Comments, Shares, Add to Favorites``.

Traps (export-formats.md §6.2, real-exports/tiktok/…content…): UTF-8 BOM, all fields quoted, no
trailing newline; no id column: ``post_id`` is the number in the ``Video link``
(``…/@handle/video/<id>``), and the handle names the account when no manifest does; ``Time`` is
the snapshot day (kept in the raw record); ``Post time`` has no year (``July 16``, ``December
31``) and is resolved against the observation date: the latest such day not after it, so a
January export dates ``December 31`` in the previous year; titles may be empty or end in spaces;
the same video can be listed twice: the first row is kept and the repeat refused with that
reason; the file is capped at ~15 videos, it is not a full list.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowRule, col
from citypulse.adapters.tiktok_studio_overview import TIKTOK_STUDIO_TZ

VIDEO_LINK = r"(?i)tiktok\.com/@([^/?#]+)/video/(\d+)"


def _id_and_handle_from_link(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(
        post_id=pl.col("post_url").str.extract(VIDEO_LINK, 2),
        account_name=pl.coalesce(pl.col("account_name"), pl.col("post_url").str.extract(VIDEO_LINK, 1)),
    )


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
        finish=_id_and_handle_from_link,
        rules=(
            RowRule("Video link", _link_without_video_id, "not a TikTok video link (…/@handle/video/<id>)"),
            RowRule(
                "Video link",
                _repeated_video,
                "the same video appears earlier in this file (first kept)",
                keys=("post_id",),
            ),
        ),
    )
]
