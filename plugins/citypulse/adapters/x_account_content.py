"""X account analytics (2024+) "content" export: ``account_analytics_content_<from>_<to>.csv``.

One row per post. ``Date`` is the day only (``Mon Feb 17 2025`` or ``Sat, Sep 12, 2026``), so the
publish *time* is recovered from the post id, a Snowflake: ``unix_ms = (id >> 22) + 1288834974657``
(computed with integer column arithmetic). A row whose id is not a Snowflake, or whose ``Date``
is more than a day away from the id's UTC day (an id mangled by a spreadsheet), is refused.

Traps (export-formats.md §4.2, real-exports/x/wormholebr-…): header variants ``Post id``/
``Post Id``, ``Link``/``Post Link``, ``Share``/``Shares``; 19-digit ids kept as strings; CRLF;
overlapping exports repeat posts (the lake keeps each file's observation; within one file a
repeated id is refused, the first row kept). Mapping: ``views`` = ``impressions`` = Impressions
(X shows impressions as a post's views), ``shares`` = Reposts (redistribution; ``Share(s)`` are
DM/link shares and stay in raw/), ``saves`` = Bookmarks, ``followers_gained`` = New follows.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowRule, col, src
from citypulse.adapters.x_tweet_activity import handle_from_url
from citypulse.lake import reasons
from citypulse.parsing.dates import parse_date

SNOWFLAKE_EPOCH_MS = 1288834974657
_TIMESTAMP_SHIFT = 1 << 22  # the low 22 bits are worker and sequence numbers


def snowflake_time(post_id: pl.Expr) -> pl.Expr:
    """The UTC creation time encoded in an X Snowflake id (NULL when the id is not one)."""
    as_int = pl.when(post_id.str.contains(r"^\d{15,20}$")).then(post_id).cast(pl.Int64, strict=False)
    unix_ms = as_int // _TIMESTAMP_SHIFT + SNOWFLAKE_EPOCH_MS
    return pl.from_epoch(unix_ms, time_unit="ms").dt.replace_time_zone("UTC")


def _published_from_snowflake(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(
        published_at=snowflake_time(pl.col("post_id")),
        account_name=pl.coalesce(pl.col("account_name"), handle_from_url(pl.col("post_url"))),
        # a cross-check only, not a declared column: the file's declared order reads it
        _stated_day=parse_date(src("Date"), "UTC", order=ctx.date_order or ctx.adapter.date_order),
    )


def _not_a_snowflake() -> pl.Expr:
    return pl.col("post_id").is_not_null() & pl.col("published_at").is_null()


def _date_disagrees() -> pl.Expr:
    gap = (pl.col("published_at").dt.date() - pl.col("_stated_day")).dt.total_days().abs()
    return gap > 1


def _repeated_post() -> pl.Expr:
    return pl.col("post_id").is_not_null() & ~pl.col("post_id").is_first_distinct()


ADAPTERS = [
    Adapter(
        name="x_account_content",
        platform="x",
        entity="post_observations",
        description="X account analytics content export (2024+, one row per post)",
        signature=("Post id", "Date", "Post text", "Impressions", "Likes"),
        columns=(
            col("post_id", "Post id", parser="id"),
            col("text", "Post text"),
            col("post_url", "Post Link", "Link"),
            col("views", "Impressions", parser="count"),
            col("impressions", "Impressions", parser="count"),
            col("likes", "Likes", parser="count"),
            col("comments", "Replies", parser="count"),
            col("shares", "Reposts", parser="count"),
            col("saves", "Bookmarks", parser="count"),
            col("followers_gained", "New follows", parser="count"),
        ),
        timezone="UTC",
        date_order="MDY",  # X writes %m/%d/%Y where it writes numeric dates
        finish=_published_from_snowflake,
        rules=(
            RowRule(
                "Post id",
                _not_a_snowflake,
                "not an X post id (Snowflake); the post cannot be dated",
                code=reasons.INVALID_ID,
            ),
            RowRule(
                "Date",
                _date_disagrees,
                "Date is more than a day away from the time in Post id",
                code=reasons.INCONSISTENT_VALUE,
            ),
            RowRule(
                "Post id",
                _repeated_post,
                "the same Post id appears earlier in this file (first kept)",
                keys=("post_id",),
                code=reasons.DUPLICATE_KEY,
            ),
        ),
    )
]
