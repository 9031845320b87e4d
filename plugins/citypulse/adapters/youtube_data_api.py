"""YouTube Data API v3 ``videos.list`` responses saved as JSON (``{"items": [video, …]}``).

Each item is a video: ``id``, ``snippet{publishedAt, channelId, channelTitle, title, description,
tags}``, ``contentDetails{duration}``, ``statistics{viewCount, likeCount, commentCount, …}``.

Traps (export-formats.md §3.2): the statistics are JSON *strings*; ``likeCount`` and
``commentCount`` are absent when hidden or disabled and stay NULL (never 0); ``dislikeCount`` and
``favoriteCount`` are not public metrics and are not read; ``duration`` is ISO 8601 (``PT4M13S``,
``P1DT2H3M4S``), turned into seconds before the shared ``duration`` parser sees it;
``publishedAt`` is UTC (``…Z``). The response names its channel, so no manifest is needed.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col
from citypulse.adapters.youtube_studio_table import with_watch_url
from citypulse.parsing.text import normalise_header

_DURATION = normalise_header("contentDetails.duration")
_ISO_8601_DURATION = r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$"


def iso_duration_seconds(expr: pl.Expr) -> pl.Expr:
    """``PT4M13S`` → ``"253"`` (text, for the shared parser); other values pass through unchanged
    so an unreadable duration is refused showing what the file said."""
    parts = expr.str.strip_chars().str.extract_groups(_ISO_8601_DURATION)
    fields = [parts.struct.field(str(i)).cast(pl.Float64) for i in range(1, 5)]
    seconds = (
        fields[0].fill_null(0) * 86400
        + fields[1].fill_null(0) * 3600
        + fields[2].fill_null(0) * 60
        + fields[3].fill_null(0)
    )
    matched = pl.any_horizontal([f.is_not_null() for f in fields])
    return pl.when(matched).then(seconds.cast(pl.String)).otherwise(expr)


def _seconds_from_iso_durations(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    if _DURATION not in lf.collect_schema().names():
        return lf
    return lf.with_columns(iso_duration_seconds(pl.col(_DURATION)).alias(_DURATION))


ADAPTERS = [
    Adapter(
        name="youtube_data_api_videos",
        platform="youtube",
        entity="post_observations",
        description="YouTube Data API v3 videos.list response (items[]), JSON",
        signature=("id", "snippet.publishedAt", "snippet.channelId"),
        columns=(
            col("post_id", "id", parser="id"),
            col("account_id", "snippet.channelId", parser="id"),
            col("account_name", "snippet.channelTitle"),
            col("published_at", "snippet.publishedAt", parser="datetime"),
            col("title", "snippet.title"),
            col("text", "snippet.description"),
            col("duration_s", "contentDetails.duration", parser="duration"),
            col("views", "statistics.viewCount", parser="count"),
            col("likes", "statistics.likeCount", parser="count"),
            col("comments", "statistics.commentCount", parser="count"),
        ),
        timezone="UTC",
        formats=frozenset({"json", "jsonl"}),
        prepare=_seconds_from_iso_durations,
        finish=with_watch_url,
    )
]
