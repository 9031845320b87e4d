"""Meta Business Suite → Insights → Content → Export, video variant: one row per Page video.

Header (212 columns): ``Video asset ID, Universal video ID, Page ID, Page name, Title, Duration
(sec), Publish time, Custom labels, Data comment, Date, Reach, 3-second video views, 1-minute
video views, Seconds viewed, Average Seconds viewed, 3-second viewers, 1-minute viewers,
Reactions, comments and shares, Reactions, Comments, Shares, Seconds viewed from …`` then
``Percentage of total views at interval 0…N`` retention columns and per-interval counts.

Mapping: ``post_id`` = ``Video asset ID`` (``Universal video ID`` is often empty); ``views`` =
``3-second video views``: Meta's definition of a video view is a play of at least 3 seconds (the
export has no ``Views`` column); ``likes`` = ``Reactions``, as for the post export; ``Title`` is
also the ``text`` (the export has no description). Seconds
viewed, retention and per-source columns have no canonical column and stay in raw/.

Traps: UTF-8 BOM; ``Date`` = ``Lifetime`` (lifetime totals; any other ``Date`` is refused);
``Publish time`` ``11/01/2025 11:04`` (month first) in the Business Suite account's zone
(local time unless the manifest sets ``timezone``); ``Title`` is often empty; no permalink. A
copy re-saved by a spreadsheet in a ``;`` locale holds every line as one quoted field with its
quotes doubled: the reader unwraps it (:func:`citypulse.adapters.readers.unwrap_single_field_records`)
so it lands as the 212-column table, never as one-column rows.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col
from citypulse.adapters.facebook_business_posts import (
    META_BUSINESS_SUITE_TZ,
    lifetime_content,
    lifetime_rule,
    not_lifetime,
)


def _lifetime_only(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(not_lifetime(lf, "Date"))


ADAPTERS = [
    Adapter(
        name="facebook_business_videos",
        platform="facebook",
        entity="post_observations",
        description="Meta Business Suite Facebook video export (lifetime totals per video)",
        signature=("Video asset ID", "Page ID", "Publish time", "3-second video views"),
        columns=(
            col("post_id", "Video asset ID", parser="id"),
            col("account_id", "Page ID", parser="id"),
            col("account_name", "Page name"),
            col("title", "Title"),
            col("text", "Title"),
            col("duration_s", "Duration (sec)", parser="number"),
            col("published_at", "Publish time", parser="datetime"),
            col("views", "3-second video views", parser="count"),
            col("reach", "Reach", parser="count"),
            col("likes", "Reactions", parser="count"),
            col("comments", "Comments", parser="count"),
            col("shares", "Shares", parser="count"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
        date_order="MDY",  # Business Suite writes MM/DD/YYYY
        content=lifetime_content("Date"),
        finish=_lifetime_only,
        rules=(lifetime_rule("Date"),),
    )
]
