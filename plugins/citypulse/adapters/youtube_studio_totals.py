"""YouTube Studio advanced-mode export, ``Totals.csv``: the channel's metrics per day.

``Date`` (``2025-03-15``) plus whichever metrics were ticked, channel-wide → ``account_daily``.
``Subscribers`` is the day's *net* change → ``followers_net`` (signed, as Studio reports it);
``Subscribers gained``/``Subscribers lost`` → ``followers_gained``/``followers_lost`` when ticked. Metrics that are not
counts (watch time, ``(%)`` columns) have no place in ``account_daily`` and stay in raw/.

The sibling ``Chart data.csv`` (``Date, Content, …``: each video's *daily increments*) has no
canonical entity (posts are stored as cumulative observations): it is refused by
:mod:`youtube_studio_chart` so that nothing in the zip is dropped silently.
"""

from __future__ import annotations

from citypulse.adapters.base import Adapter, col
from citypulse.adapters.youtube_studio_table import PACIFIC

ADAPTERS = [
    Adapter(
        name="youtube_studio_totals",
        platform="youtube",
        entity="account_daily",
        description="YouTube Studio advanced-mode export, Totals.csv (channel totals per day)",
        signature=("Date", "Views"),
        columns=(
            col("date", "Date", parser="date"),
            col("views", "Views", parser="count"),
            col("followers_gained", "Subscribers gained", parser="count"),
            col("followers_net", "Subscribers", parser="count"),
            col("followers_lost", "Subscribers lost", parser="count"),
            col("likes", "Likes", parser="count"),
            col("comments", "Comments added", parser="count"),
            col("shares", "Shares", parser="count"),
        ),
        timezone=PACIFIC,
        signed=("followers_net",),
    )
]
