"""Legacy Facebook Insights "Post Level" export (≤ ~2020), one row per post.

``Facebook Insights Data Export (Post Level) - <Page> - <from> - <to>.csv`` (export-formats.md
§5.3, real-exports/facebook/kth-vic-insights-post-level-…).

Traps: row 2 holds metric *descriptions* under the names (refused as a description row); 95
columns with duplicate names (``Lifetime Organic Video Views`` twice: total count, then unique
users; the engine suffixes the second ``__2``); messages are HTML-escaped (``&quot;``), unescaped
here; ``Post ID`` is ``<pageid>_<postid>`` (kept whole,
the Graph API form; the page id prefix is the ``account_id``); ``Posted`` is ``02/19/2015 11:45:22
PM`` with no zone: legacy Insights reported in Pacific time (``America/Los_Angeles`` unless the
manifest says otherwise); ``Audience Targeting`` holds a single space; ``Type`` may be empty.

Mapping: reach/impressions = ``Lifetime Post Total Reach``/``… Total Impressions``; likes,
comments, shares = ``Lifetime Post Stories by action type - like/comment/share`` (total counts,
not the unique-user "Talking About This" variants); ``views`` = impressions, as for the Business
Suite export that succeeded it. Empty cells stay NULL.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col
from citypulse.parsing.text import unescape_html

LEGACY_INSIGHTS_TZ = "America/Los_Angeles"


def _page_id_and_text(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    page_id = pl.col("post_id").str.extract(r"^(\d+)_\d+$", 1)
    return lf.with_columns(
        account_id=pl.coalesce(page_id, pl.col("account_id")), text=unescape_html(pl.col("text"))
    )


ADAPTERS = [
    Adapter(
        name="facebook_insights_posts",
        platform="facebook",
        entity="post_observations",
        description="legacy Facebook Insights Post Level export (names row + descriptions row)",
        signature=("Post ID", "Permalink", "Post Message", "Posted", "Lifetime Post Total Reach"),
        columns=(
            col("post_id", "Post ID", parser="id"),
            col("post_url", "Permalink"),
            col("text", "Post Message"),
            col("post_type", "Type"),
            col("published_at", "Posted", parser="datetime"),
            col("reach", "Lifetime Post Total Reach", parser="count"),
            col("impressions", "Lifetime Post Total Impressions", parser="count"),
            col("views", "Lifetime Post Total Impressions", parser="count"),
            col("likes", "Lifetime Post Stories by action type - like", parser="count"),
            col("comments", "Lifetime Post Stories by action type - comment", parser="count"),
            col("shares", "Lifetime Post Stories by action type - share", parser="count"),
        ),
        timezone=LEGACY_INSIGHTS_TZ,
        date_order="MDY",  # legacy Insights writes M/D/YYYY
        skip_after_header=1,
        finish=_page_id_and_text,
    )
]
