"""NanmiCoder/MediaCrawler Weibo notes. ``create_time`` is 8 hours wrong (an aware time re-tagged
as UTC in tools/time_util.py); ``create_date_time`` (``2023-05-01 12:00:00+08:00``) is right and is
the only one used."""

from __future__ import annotations

from citypulse.adapters.base import Adapter, col

ADAPTERS = [
    Adapter(
        name="weibo_mediacrawler_notes",
        platform="weibo",
        entity="post_observations",
        description="MediaCrawler weibo_note rows",
        signature=("note_id", "content", "create_date_time", "liked_count", "comments_count", "shared_count"),
        columns=(
            col("post_id", "note_id", parser="id"),
            col("account_id", "user_id", "creator_hash", parser="id"),
            col("account_name", "nickname"),
            col("post_url", "note_url"),
            col("published_at", "create_date_time", parser="datetime"),
            col("text", "content"),
            col("likes", "liked_count", parser="count"),
            col("comments", "comments_count", parser="count"),
            col("shares", "shared_count", parser="count"),
            col("ip_location", "ip_location"),
            col("source_keyword", "source_keyword"),
        ),
        observed_at_column="last_modify_ts",
        sheets=("Contents",),
    ),
]
