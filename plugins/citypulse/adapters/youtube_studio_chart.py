"""YouTube Studio advanced-mode export, ``Chart data.csv``: each charted video's value per day.

``Date, Content, Video title, Video publish time, Duration, <metric…>``: one row per video per
day with that day's value of the charted metric (``Views`` by default; ``Likes``, ``Comments
added``, ``Shares``, ``Watch time (hours)`` when charted) → ``post_daily`` (post_id = ``Content``).
The values are the day's own, not running totals. A channel-level chart (no ``Content``
column: ``Date`` and the metric) is the channel's day and is read by
:mod:`youtube_studio_totals` into ``account_daily``.

Traps (real-exports/youtube/priyanka-shorts-chart-data-views.csv):

* the export covers the whole range chosen in Studio for every charted video, so the days before
  a video was published are there too, with ``0`` that Studio wrote in, not counted. Those rows
  (dated before ``Video publish time`` and with every metric 0 or empty) are refused with the
  reason "before the video's publish date": a zero there would read as a day on which nobody
  watched, and the raw rows stay in ``_rejects``, so nothing is lost and nothing is invented.
  A row before the publish date with a non-zero value is a real count (a video watched while
  unlisted or scheduled, or a publish time given as a day in another zone) and lands;
* ``Video publish time`` is ``"Sep 29, 2025"`` (date only); when it is empty or unreadable no
  row of the video is refused for it (nothing says it was not yet published);
* an id starting with ``-`` is written with a leading space (the ``id`` parser strips it);
* ``Video title`` and ``Duration`` describe the video, not the day; they stay in raw/
  (``post_observations`` from ``Table data.csv`` carries them).

Days are YouTube Analytics days, in Pacific time (``America/Los_Angeles``), as dates.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowRule, col, src
from citypulse.adapters.youtube_studio_table import PACIFIC
from citypulse.lake import reasons
from citypulse.lake.schema import POST_DAILY
from citypulse.parsing import ParseContext, get_parser

BEFORE_PUBLISH = (
    "is before the video's publish date (Video publish time); its 0 is Studio's fill-in for a "
    "day before the video existed, not a count"
)

_PUBLISHED = "_published_on"
_METRICS = ("views", "likes", "comments", "shares", "watch_time_h")


def _publish_date(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    """The video's publish date (a day) beside each row, and the metrics the chart does not
    carry as NULL columns, for the rule below."""
    names = lf.collect_schema().names()
    raw = src("Video publish time")
    published = (
        get_parser("date")(raw, ParseContext(ctx.timezone))
        if raw.meta.output_name() in names
        else pl.lit(None, pl.Date)
    )
    absent = [pl.lit(None, POST_DAILY[m]).alias(m) for m in _METRICS if m not in names]
    return lf.with_columns(published.alias(_PUBLISHED), *absent)


def _before_publish_with_zeros() -> pl.Expr:
    nothing = pl.all_horizontal([pl.col(m).fill_null(0) == 0 for m in _METRICS])
    return (pl.col("date") < pl.col(_PUBLISHED)) & nothing


ADAPTERS = [
    Adapter(
        name="youtube_studio_chart",
        platform="youtube",
        entity="post_daily",
        description="YouTube Studio advanced-mode export, Chart data.csv (one row per video per day)",
        signature=("Date", "Content", "Video title", "Video publish time"),
        columns=(
            col("post_id", "Content", parser="id"),
            col("date", "Date", parser="date"),
            col("views", "Views", parser="count"),
            col("likes", "Likes", parser="count"),
            col("comments", "Comments added", "Comments", parser="count"),
            col("shares", "Shares", parser="count"),
            col("watch_time_h", "Watch time (hours)", parser="number"),
        ),
        timezone=PACIFIC,
        finish=_publish_date,
        rules=(
            RowRule(
                "Date",
                _before_publish_with_zeros,
                BEFORE_PUBLISH,
                value=lambda: src("Date"),
                code=reasons.INCONSISTENT_VALUE,
            ),
        ),
    )
]
