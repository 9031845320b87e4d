"""X (Twitter) legacy analytics.twitter.com *daily* account export, one row per day.

``daily_tweet_activity_metrics_<handle>_<from>_<to>_<lang>.csv``, 38 columns: ``Date``
(``2021-08-01``), ``Tweets published`` and the same metrics as the tweet export summed per day.

Traps: every field quoted; mixed header case (``Tweets published`` vs ``impressions``); promoted
columns ``-``; ``engagement rate`` a long float (not read). Mapping: ``views`` = impressions,
``profile_views`` = user profile clicks, ``followers_gained`` = ``follows`` (follows attributed to
tweets that day: the export has no account-wide follower count), ``shares`` = retweets.
"""

from __future__ import annotations

from citypulse.adapters.base import Adapter, col

ADAPTERS = [
    Adapter(
        name="x_daily_activity",
        platform="x",
        entity="account_daily",
        description="analytics.twitter.com daily account export (legacy, 38 columns, one row per day)",
        signature=("Date", "Tweets published", "impressions", "engagements", "retweets"),
        columns=(
            col("date", "Date", parser="date"),
            col("views", "impressions", parser="count"),
            col("likes", "likes", "favorites", parser="count"),
            col("comments", "replies", parser="count"),
            col("shares", "retweets", parser="count"),
            col("profile_views", "user profile clicks", parser="count"),
            col("followers_gained", "follows", parser="count"),
        ),
        timezone="UTC",
    )
]
