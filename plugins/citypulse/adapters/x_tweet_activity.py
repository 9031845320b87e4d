"""X (Twitter) legacy analytics.twitter.com "Tweet activity" export, one row per tweet.

``tweet_activity_metrics_<handle>_<from>_<to>_<lang>.csv``, 40 columns (export-formats.md §4.1).

Traps: every field quoted; tweet text spans several lines inside quotes and is HTML-escaped
(``&amp;``), unescaped here; counts are float strings (``"2633.0"``); ``favorites`` was renamed
``likes`` (both read); promoted metrics are ``-`` for organic tweets (NULL, and not read: the
lake keeps organic + paid totals only where the export states them); ``time`` is UTC with an
explicit offset (``2019-01-31 23:32 +0000``). X calls impressions "views" on every post since
2022, so ``views`` and ``impressions`` both take ``impressions``; ``shares`` are retweets (X's
redistribution, like Weibo 转发); ``followers_gained`` is ``follows`` (follows from the tweet).
The handle in the permalink names the account when no manifest does.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col
from citypulse.parsing.text import unescape_html


def handle_from_url(url: pl.Expr) -> pl.Expr:
    """``https://twitter.com/rOpenSci/status/1…`` → ``rOpenSci`` (x.com links too)."""
    return url.str.extract(r"(?i)^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([^/?#]+)/status/", 1)


def _text_and_handle(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return lf.with_columns(
        text=unescape_html(pl.col("text")),
        account_name=pl.coalesce(pl.col("account_name"), handle_from_url(pl.col("post_url"))),
    )


ADAPTERS = [
    Adapter(
        name="x_tweet_activity",
        platform="x",
        entity="post_observations",
        description="analytics.twitter.com Tweet activity export (legacy, 40 columns, one row per tweet)",
        signature=("Tweet id", "Tweet permalink", "time", "impressions"),
        columns=(
            col("post_id", "Tweet id", parser="id"),
            col("post_url", "Tweet permalink"),
            col("text", "Tweet text"),
            col("published_at", "time", parser="datetime"),
            col("views", "impressions", parser="count"),
            col("impressions", "impressions", parser="count"),
            col("likes", "likes", "favorites", parser="count"),
            col("comments", "replies", parser="count"),
            col("shares", "retweets", parser="count"),
            col("followers_gained", "follows", parser="count"),
        ),
        timezone="UTC",
        finish=_text_and_handle,
    )
]
