"""YouTube Studio → Analytics → Advanced mode → Export current view: ``Table data.csv``.

One row per video with its totals over the exported range (the zip also carries ``Chart data.csv``
and ``Totals.csv``; see :mod:`youtube_studio_totals`). Columns depend on the metrics ticked, so
only ``Content``, ``Video title`` and ``Video publish time`` identify the file.

Traps (export-formats.md §3.1, real-exports/youtube):

* the first data row is the channel ``Total`` row, not a video: refused with that reason;
* an id starting with ``-`` is written with a leading space (`` -JTnUJTN2aI``) against spreadsheet
  formula injection: the ``id`` parser strips it;
* ``Video publish time`` is ``"Mar 15, 2025"`` (date only, quoted) and sometimes empty;
* ``(%)`` columns are 0–100 → fractions;
* ``Subscribers`` is *net* subscribers won by the video (negative happens) → ``followers_gained``
  (signed), like Douyin's 粉丝增量; ``Subscribers gained`` is the fallback;
* ``Average percentage viewed (%)`` is the nearest YouTube analogue of a completion rate.

Dates carry no clock or zone; YouTube Analytics reports its days in Pacific time, so they are read
in ``America/Los_Angeles`` unless the folder manifest sets ``timezone``. ``post_url`` is the
canonical watch URL built from the id. The numbers are totals over the range chosen in Studio;
they are the lifetime (cumulative) figures the lake expects only when the export's date range is
"Lifetime", so that is the range to export.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Column, Context, RowFilter, col
from citypulse.lake import reasons

PACIFIC = "America/Los_Angeles"

TOTAL_ROW_REASON = "YouTube Studio totals row (Total), not a video"

# Shared with the legacy per-video export (youtube_aggregated_metrics), which differs only in the
# id column's name and a few metric names.
VIDEO_METRICS: tuple[Column, ...] = (
    col("title", "Video title"),
    col("published_at", "Video publish time", parser="datetime"),
    col("duration_s", "Duration", parser="duration"),
    col("views", "Views", "Video views", parser="count"),
    col("likes", "Likes", parser="count"),
    col("comments", "Comments added", "Comments", parser="count"),
    col("shares", "Shares", parser="count"),
    col("impressions", "Impressions", parser="count"),
    col("followers_gained", "Subscribers", "Subscribers gained", parser="count"),
    col("completion_rate", "Average percentage viewed (%)", "Average % viewed", parser="percent"),
)


def with_watch_url(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    """``post_url`` = the watch page of the video id (Studio exports carry no link)."""
    return lf.with_columns(post_url=pl.format("https://www.youtube.com/watch?v={}", pl.col("post_id")))


ADAPTERS = [
    Adapter(
        name="youtube_studio_table",
        platform="youtube",
        entity="post_observations",
        description="YouTube Studio advanced-mode export, Table data.csv (one row per video)",
        signature=("Content", "Video title", "Video publish time"),
        columns=(col("post_id", "Content", parser="id"), *VIDEO_METRICS),
        timezone=PACIFIC,
        row_filters=(RowFilter("Content", ("Total",), TOTAL_ROW_REASON, reasons.TOTALS_ROW),),
        signed=("followers_gained",),
        finish=with_watch_url,
    )
]
