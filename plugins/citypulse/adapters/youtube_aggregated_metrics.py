"""YouTube Studio legacy per-video lifetime export (``Aggregated_Metrics_By_Video.csv``).

The shape of Ken Jee's widely copied dataset: the id column is ``Video`` (not ``Content``),
views are ``Video views``, ``Average % viewed`` replaces ``Average percentage viewed (%)``.

Traps (real-exports/youtube/kenjee-…): UTF-8 BOM and CRLF; the ``Total`` row first; durations
``00:03:25``; negative ``Subscribers`` (net losses) are real values, kept signed; and publish
dates that went through a day-first spreadsheet. Studio writes ``M-D-YYYY`` unpadded
(``7-16-2020``); a day-first Excel turned every value it could read as D-M (both parts ≤ 12) into
a real date and re-rendered it zero-padded month-first, swapping day and month (``1-10-2022``,
10 January, became ``10-01-2022``), and left the rest as text. Read as month-first, 2 of that
file's dates fall months after its export (January 2022). So in a file that mixes zero-padded and
unpadded dates, a value whose two leading parts are both ≤ 12 is read day-first; everything else
(and every value of a file written by Studio alone) month-first.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, RowFilter, col
from citypulse.adapters.youtube_studio_table import PACIFIC, TOTAL_ROW_REASON, VIDEO_METRICS, with_watch_url
from citypulse.lake import reasons
from citypulse.parsing.text import normalise_header

_PUBLISHED = normalise_header("Video publish time")
_DASHED = r"^(\d{1,2})-(\d{1,2})-(\d{4})$"


def unswap_spreadsheet_dates(published: pl.Expr) -> pl.Expr:
    """Rewrite day-first renderings (see the module docstring) as ISO dates; others unchanged."""
    s = published.str.strip_chars()
    parts = s.str.extract_groups(_DASHED)
    first = parts.struct.field("1")
    second = parts.struct.field("2")
    zero_padded = first.str.starts_with("0") | second.str.starts_with("0")
    unpadded = (first.str.len_chars() == 1) | (second.str.len_chars() == 1)
    spreadsheet_touched = zero_padded.any() & unpadded.any()
    both_could_be_months = (first.cast(pl.Int32, strict=False) <= 12) & (
        second.cast(pl.Int32, strict=False) <= 12
    )
    day_first = pl.format("{}-{}-{}", parts.struct.field("3"), second.str.zfill(2), first.str.zfill(2))
    return (
        pl.when(spreadsheet_touched & both_could_be_months.fill_null(False))
        .then(day_first)
        .otherwise(published)
    )


def _unswap(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    if _PUBLISHED not in lf.collect_schema().names():
        return lf
    return lf.with_columns(unswap_spreadsheet_dates(pl.col(_PUBLISHED)).alias(_PUBLISHED))


ADAPTERS = [
    Adapter(
        name="youtube_aggregated_metrics",
        platform="youtube",
        entity="post_observations",
        description="YouTube Studio legacy Aggregated_Metrics_By_Video.csv (one row per video, lifetime)",
        signature=("Video", "Video title", "Video publish time"),
        columns=(col("post_id", "Video", parser="id"), *VIDEO_METRICS),
        timezone=PACIFIC,
        date_order="MDY",  # Studio writes M-D-YYYY
        row_filters=(RowFilter("Video", ("Total",), TOTAL_ROW_REASON, reasons.TOTALS_ROW),),
        signed=("followers_gained",),
        prepare=_unswap,
        finish=with_watch_url,
    )
]
