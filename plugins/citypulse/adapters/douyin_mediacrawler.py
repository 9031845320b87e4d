"""NanmiCoder/MediaCrawler Douyin output (csv, jsonl, xlsx sheets ``Contents``/``Creators``).

Two shapes exist: before 2026-07 rows carry ``user_id``/``sec_uid``/``nickname``/``ip_location``;
since then a ``creator_hash`` and a masked nickname. ``account_id`` is whichever is present.
Missing statistics are the literal string ``"None"`` (→ NULL). ``create_time`` is Unix seconds,
``last_modify_ts`` milliseconds (the parser tells them apart by magnitude); the latest
``last_modify_ts`` is the crawl time when neither a manifest nor the file name gives one.
"""

from __future__ import annotations

from citypulse.adapters.base import Adapter, col

ADAPTERS = [
    Adapter(
        name="douyin_mediacrawler_contents",
        platform="douyin",
        entity="post_observations",
        description="MediaCrawler douyin_aweme rows (search/detail/creator crawls)",
        signature=("aweme_id", "create_time", "liked_count", "aweme_url"),
        columns=(
            col("post_id", "aweme_id", parser="id"),
            col("account_id", "user_id", "creator_hash", parser="id"),
            col("account_name", "nickname"),
            col("post_url", "aweme_url"),
            col("published_at", "create_time", parser="datetime"),
            col("title", "title"),
            col("text", "desc"),
            col("post_type", "aweme_type"),
            col("likes", "liked_count", parser="count"),
            col("saves", "collected_count", parser="count"),
            col("comments", "comment_count", parser="count"),
            col("shares", "share_count", parser="count"),
            col("ip_location", "ip_location"),
            col("source_keyword", "source_keyword"),
        ),
        observed_at_column="last_modify_ts",
        sheets=("Contents",),
    ),
    Adapter(
        name="douyin_mediacrawler_creators",
        platform="douyin",
        entity="account_observations",
        description="MediaCrawler douyin creator rows (pre-2026-07 versions only; later ones store none)",
        signature=("user_id", "nickname", "fans", "follows", "interaction", "videos_count"),
        columns=(
            col("account_id", "user_id", parser="id"),
            col("account_name", "nickname"),
            col("followers", "fans", parser="count"),
            col("following", "follows", parser="count"),
            col("likes_total", "interaction", parser="count"),
            col("posts_count", "videos_count", parser="count"),
            col("description", "desc"),
            col("location", "ip_location"),
        ),
        observed_at_column="last_modify_ts",
        sheets=("Creators",),
    ),
]
