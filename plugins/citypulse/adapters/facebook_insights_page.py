"""Legacy Facebook Insights page-level daily export (≤ ~2020), one row per day → ``account_daily``.

``Facebook Insights Data Export - <Page> - <from> - <to>.csv`` (real-exports/facebook/
kth-vic-insights-page-level-…).

Traps: Windows-1252 bytes (``Cataluña``; the shared decoder falls back to it), CRLF; 644 columns
with 17 duplicate names (e.g. ``Daily Logged-in Page Views`` as total count, then unique users;
the engine suffixes the second ``__2``); row 2 holds descriptions; dates ``1/1/2014`` (M/D/YYYY,
unpadded); dynamic per-city/country columns (ignored); very sparse rows, empty = NULL.

Mapping:

==================  =================================================================
followers           ``Lifetime Total Likes`` (page likes were the follower count then)
followers_gained    ``Daily New Likes``
followers_lost      ``Daily Unlikes``
views               ``Daily Total Impressions`` (impressions of any page content)
profile_views       ``Daily Logged-in Page Views`` (the first, *Total Count*, occurrence)
likes, comments     ``Daily Positive Feedback from Users - like/comment`` (second occurrence:
                    *Total Count*; the first is unique users)
shares              ``Daily Positive Feedback from Users - link`` (total count; legacy
                    Insights named shares "link" feedback)
==================  =================================================================

Reach (``Daily Total Reach``) has no ``account_daily`` column and stays in raw/. The export names
no page id: ``account_id`` comes from the folder manifest (or the account folder).
"""

from __future__ import annotations

from citypulse.adapters.base import Adapter, col
from citypulse.adapters.facebook_insights_posts import LEGACY_INSIGHTS_TZ

ADAPTERS = [
    Adapter(
        name="facebook_insights_page",
        platform="facebook",
        entity="account_daily",
        description="legacy Facebook Insights page-level daily export (644 columns, descriptions row)",
        signature=("Date", "Lifetime Total Likes", "Daily New Likes", "Daily Unlikes"),
        columns=(
            col("date", "Date", parser="date"),
            col("followers", "Lifetime Total Likes", parser="count"),
            col("followers_gained", "Daily New Likes", parser="count"),
            col("followers_lost", "Daily Unlikes", parser="count"),
            col("views", "Daily Total Impressions", parser="count"),
            col("profile_views", "Daily Logged-in Page Views", parser="count"),
            col("likes", "Daily Positive Feedback from Users - like__2", parser="count"),
            col("comments", "Daily Positive Feedback from Users - comment__2", parser="count"),
            col("shares", "Daily Positive Feedback from Users - link__2", parser="count"),
        ),
        timezone=LEGACY_INSIGHTS_TZ,
        date_order="MDY",  # legacy Insights writes M/D/YYYY
        skip_after_header=1,
    )
]
