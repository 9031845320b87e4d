"""YouTube Studio advanced-mode export, ``Totals.csv``: the channel's metrics per day.

``Date`` (``2025-03-15``) plus whichever metrics were ticked, channel-wide → ``account_daily``.
``Subscribers`` is the day's *net* change → ``followers_net`` (signed, as Studio reports it);
``Subscribers gained``/``Subscribers lost`` → ``followers_gained``/``followers_lost`` when ticked.
``Engaged views`` → ``engaged_views`` (Shorts plays past the first seconds: not ``Views``, never
mixed into it) and ``Watch time (hours)`` → ``watch_time_h``; ``(%)`` and average columns have no
place in ``account_daily`` and stay in raw/.

Studio writes only the ticked metrics, so ``Views`` may be absent: a Totals file is recognised by
``Date`` plus any one of ``Views``, ``Engaged views`` or ``Watch time (hours)`` (one adapter per
such metric, the same columns). A "Lifetime" range starts at the channel's first day (2007 for
old channels): the leading zero days are the platform's own values and land as such.

The sibling ``Chart data.csv`` (``Date, Content, …``: each charted video's own days) lands into
``post_daily`` through :mod:`youtube_studio_chart`; a chart exported at channel level (no
``Content`` column) is the channel's day and is read here.
"""

from __future__ import annotations

from dataclasses import replace

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
            col("engaged_views", "Engaged views", parser="count"),
            col("watch_time_h", "Watch time (hours)", parser="number"),
        ),
        timezone=PACIFIC,
        signed=("followers_net",),
    )
]

# a Totals.csv whose ticked metrics do not include Views: the same adapter, found by another one
ADAPTERS += [
    replace(ADAPTERS[0], name=f"youtube_studio_totals_{suffix}", signature=("Date", metric), priority=-1)
    for suffix, metric in (("engaged_views", "Engaged views"), ("watch_time", "Watch time (hours)"))
]
