"""TikTok Research API ``/v2/research/video/query/`` responses saved as JSON.

``{"data": {"videos": [{id, video_description, create_time, region_code, share_count,
view_count, like_count, comment_count, username, hashtag_names, …}], "cursor", "has_more"}}``
(export-formats.md §6.3). Videos come from many creators, so ``account_id`` is the ``username``.

Traps: ``id`` is a JSON integer (read as text, never through a float); ``create_time`` is Unix
seconds (UTC); fields are returned only when requested, and missing counts stay NULL;
``region_code`` (the creator's registered country) is the nearest analogue of an IP location and
fills ``ip_location``; ``favorites_count`` → ``saves``; ``post_url`` is rebuilt from username and id.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col


def _video_url(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(
        post_url=pl.format("https://www.tiktok.com/@{}/video/{}", pl.col("account_id"), pl.col("post_id"))
    )


ADAPTERS = [
    Adapter(
        name="tiktok_research_videos",
        platform="tiktok",
        entity="post_observations",
        description="TikTok Research API video query response (data.videos[]), JSON",
        signature=("id", "create_time", "username"),
        columns=(
            col("post_id", "id", parser="id"),
            col("account_id", "username", parser="id"),
            col("account_name", "username"),
            col("text", "video_description"),
            col("published_at", "create_time", parser="datetime"),
            col("duration_s", "video_duration", parser="number"),
            col("views", "view_count", parser="count"),
            col("likes", "like_count", parser="count"),
            col("comments", "comment_count", parser="count"),
            col("shares", "share_count", parser="count"),
            col("saves", "favorites_count", parser="count"),
            col("ip_location", "region_code"),
        ),
        timezone="UTC",
        formats=frozenset({"json", "jsonl"}),
        finish=_video_url,
    )
]
