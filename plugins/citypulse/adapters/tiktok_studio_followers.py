"""TikTok Studio → Analytics → Followers export, ``FollowerHistory.csv``: followers per day.

``Date, Followers, Difference in followers from previous day`` → ``account_daily``.

Traps (export-formats.md §6.2, real-exports/tiktok/…follower-history…): UTF-8 BOM, every field
quoted, no trailing newline; yearless localised days across New Year (years from the row order,
as for ``Overview.csv``); ``undefined`` followers on days without data = NULL, never 0.
The ``Difference …`` column is not trusted (reported as next-day − this-day in some exports):
``followers_gained`` is recomputed as this day's ``Followers`` minus the previous calendar day's,
NULL when either is unknown. TikTok gives only the net change, so it may be negative
(``followers_gained`` is signed) and ``followers_lost`` stays NULL.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col
from citypulse.adapters.tiktok_studio_dates import years_from_row_order
from citypulse.adapters.tiktok_studio_overview import TIKTOK_STUDIO_TZ

DATE_HEADERS = ("Date", "Data", "日期")


def _net_change_from_followers(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    lf = years_from_row_order(lf, DATE_HEADERS).sort("date", nulls_last=True)
    consecutive = (pl.col("date") - pl.col("date").shift(1)).dt.total_days() == 1
    change = pl.col("followers") - pl.col("followers").shift(1)
    return lf.with_columns(followers_gained=pl.when(consecutive).then(change))


ADAPTERS = [
    Adapter(
        name="tiktok_studio_followers",
        platform="tiktok",
        entity="account_daily",
        description="TikTok Studio FollowerHistory.csv: followers per day (net change recomputed)",
        signature=("Date", "Followers", "Difference in followers from previous day"),
        columns=(
            col("date", "Date", parser="date"),
            col("followers", "Followers", parser="count"),
        ),
        timezone=TIKTOK_STUDIO_TZ,
        signed=("followers_gained",),
        finish=_net_change_from_followers,
        row_batches=False,
    )
]
