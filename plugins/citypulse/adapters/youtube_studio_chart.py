"""YouTube Studio advanced-mode export, ``Chart data.csv``: each charted video's *daily increments*.

``Date, Content, Video title, Video publish time, Duration, <metric…>``: one row per video per
day with that day's views (or whichever metric was charted). The lake stores post metrics as
cumulative observations (``post_observations``) and account days (``account_daily``); per-video
daily increments fit neither, and summing the charted videos would not give the channel's day
(only the charted videos are listed; ``Totals.csv`` holds the channel's day). So the file is
recognised, each row refused with that reason into ``_rejects`` (nothing silently dropped, and the
Studio zip is not quarantined for it) and the bytes stay in raw/ for a future per-post daily entity.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, RowRule, col
from citypulse.adapters.youtube_studio_table import PACIFIC

NOT_MODELLED = (
    "per-video daily increments (Studio Chart data) have no lake entity; "
    "kept in raw/, channel days come from Totals.csv"
)


def _every_row() -> pl.Expr:
    return pl.lit(True)


ADAPTERS = [
    Adapter(
        name="youtube_studio_chart",
        platform="youtube",
        entity="post_observations",
        description="YouTube Studio advanced-mode export, Chart data.csv (recognised, not modelled)",
        signature=("Date", "Content", "Video title", "Video publish time"),
        columns=(col("post_id", "Content", parser="id"),),
        timezone=PACIFIC,
        rules=(RowRule("Date", _every_row, NOT_MODELLED),),
    )
]
