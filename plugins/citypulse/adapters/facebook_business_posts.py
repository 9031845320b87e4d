"""Meta Business Suite → Insights → Content → Export: Facebook Page posts, one row per post.

Header (export-formats.md §5.1): ``Post ID, Page ID, Page name, Title, Description, Duration
(sec), Publish time, …, Date, Views, Reach, Reactions, Comments and Shares, Reactions, Comments,
Shares, …``.

Traps: UTF-8 BOM; 32–34 columns depending on the month (only the three signature columns are
required); ``Reactions, Comments and Shares`` is one quoted column whose capitalisation varies (it
is a sum and not read); ``Date`` is ``Lifetime`` (the numbers are lifetime totals at export time);
``Publish time`` is ``MM/DD/YYYY HH:MM`` in the zone set in the Business Suite account, with no
marker: read as Asia/Shanghai (the municipal teams' accounts) unless the folder manifest sets
``timezone``; the caption sits in ``Title`` or ``Description`` by post type, so ``text`` is the
longer of the two (``title`` keeps ``Title``); older exports have ``Impressions`` instead of
``Views`` (``views`` then takes ``Impressions``, as Meta defines views as their successor);
``pfbid…`` permalinks change between exports, so ``post_id`` (never the URL) identifies a post.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col

META_BUSINESS_SUITE_TZ = "Asia/Shanghai"


def longer_caption(title: pl.Expr, description: pl.Expr) -> pl.Expr:
    """The longer of two caption cells (NULL only when both are empty)."""
    return (
        pl.when(description.str.len_chars().fill_null(-1) >= title.str.len_chars().fill_null(-1))
        .then(description)
        .otherwise(title)
    )


def _caption(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    names = set(lf.collect_schema().names())
    description = pl.col("text") if "text" in names else pl.lit(None, pl.String)
    title = pl.col("title") if "title" in names else pl.lit(None, pl.String)
    return lf.with_columns(text=longer_caption(title, description))


ADAPTERS = [
    Adapter(
        name="facebook_business_posts",
        platform="facebook",
        entity="post_observations",
        description="Meta Business Suite Facebook post export (lifetime totals per post)",
        signature=("Post ID", "Page ID", "Publish time"),
        columns=(
            col("post_id", "Post ID", parser="id"),
            col("account_id", "Page ID", parser="id"),
            col("account_name", "Page name"),
            col("title", "Title"),
            col("text", "Description"),
            col("duration_s", "Duration (sec)", parser="number"),
            col("published_at", "Publish time", parser="datetime"),
            col("post_url", "Permalink"),
            col("post_type", "Post type"),
            col("views", "Views", "Impressions", parser="count"),
            col("impressions", "Impressions", parser="count"),
            col("reach", "Reach", parser="count"),
            col("likes", "Reactions", parser="count"),
            col("comments", "Comments", parser="count"),
            col("shares", "Shares", parser="count"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
        finish=_caption,
    )
]
