"""X account analytics (2024+) overview export: ``account_overview_analytics.csv``, one row per day.

Traps (real-exports/x/wormholebr-…): quoted ``"Wed, Jan 1, 2025"`` dates with the weekday and a
comma; newest day first; no trailing newline; a 10-column variant ends at ``Reposts``.
Mapping: ``views`` = Impressions, ``followers_gained``/``followers_lost`` = New follows/Unfollows,
``profile_views`` = Profile visits, ``comments`` = Replies, ``shares`` = Reposts (as for posts).
"""

from __future__ import annotations

from citypulse.adapters.base import Adapter, col

ADAPTERS = [
    Adapter(
        name="x_account_overview",
        platform="x",
        entity="account_daily",
        description="X account analytics overview export (2024+, one row per day)",
        signature=("Date", "Impressions", "Likes", "Engagements"),
        columns=(
            col("date", "Date", parser="date"),
            col("views", "Impressions", parser="count"),
            col("likes", "Likes", parser="count"),
            col("comments", "Replies", parser="count"),
            col("shares", "Reposts", parser="count"),
            col("followers_gained", "New follows", parser="count"),
            col("followers_lost", "Unfollows", parser="count"),
            col("profile_views", "Profile visits", parser="count"),
        ),
        timezone="UTC",
        date_order="MDY",  # X writes %m/%d/%Y where it writes numeric dates
    )
]
