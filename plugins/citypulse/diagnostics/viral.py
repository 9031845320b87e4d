"""爆款 viral alerts: a post whose daily growth in views or engagements exceeds its account's 99th
percentile of daily growth.

Daily growth is the change of a post's last cumulative value of a local day from its last known
value of an earlier day (NULL is unknown and skipped, like ``fct_post_daily``). An account's
baseline is every daily growth of its posts in the frame given (the run reads the 90 days before
the month end); accounts with fewer than ``MIN_HISTORY`` growth values get no alert, because a 99th
percentile of a handful of values flags ordinary days.
"""

from __future__ import annotations

from datetime import date

import polars as pl

QUANTILE = 0.99
MIN_HISTORY = 30
TZ = "Asia/Shanghai"
ACCOUNT = ["platform", "account_id"]


def daily_growth(snapshots: pl.DataFrame) -> pl.DataFrame:
    """Per post and local day: views_growth, engagements_growth (NULL for a post's first day).

    ``snapshots``: platform, account_id, post_id, observed_at (UTC), views, engagements.
    """
    day = pl.col("observed_at").dt.convert_time_zone(TZ).dt.date().alias("date_day")
    last_of_day = (
        snapshots.with_columns(day)
        .sort("observed_at")
        .group_by([*ACCOUNT, "post_id", "date_day"], maintain_order=True)
        .agg(pl.col("views").drop_nulls().last(), pl.col("engagements").drop_nulls().last())
        .sort([*ACCOUNT, "post_id", "date_day"])
    )
    post = [*ACCOUNT, "post_id"]
    return last_of_day.with_columns(
        views_growth=pl.col("views") - pl.col("views").forward_fill().shift(1).over(post),
        engagements_growth=pl.col("engagements") - pl.col("engagements").forward_fill().shift(1).over(post),
    )


def viral_posts(growth: pl.DataFrame, since: date | None = None, until: date | None = None) -> pl.DataFrame:
    """Post-days whose growth exceeds the account's 99th percentile (views or engagements).

    ``since``/``until`` (local dates, inclusive/exclusive) limit the days flagged, not the baseline.
    """
    baseline = growth.group_by(ACCOUNT).agg(
        history=pl.col("views_growth").count(),
        views_p99=pl.col("views_growth").quantile(QUANTILE, "linear"),
        engagements_p99=pl.col("engagements_growth").quantile(QUANTILE, "linear"),
    )
    flagged = (
        growth.join(baseline.filter(pl.col("history") >= MIN_HISTORY), on=ACCOUNT)
        .with_columns(
            views_viral=(pl.col("views_growth") > pl.col("views_p99")).fill_null(False),
            engagements_viral=(pl.col("engagements_growth") > pl.col("engagements_p99")).fill_null(False),
        )
        .filter(pl.col("views_viral") | pl.col("engagements_viral"))
    )
    if since is not None:
        flagged = flagged.filter(pl.col("date_day") >= since)
    if until is not None:
        flagged = flagged.filter(pl.col("date_day") < until)
    return flagged.select(
        *ACCOUNT,
        "post_id",
        "date_day",
        "views",
        "views_growth",
        "views_p99",
        "engagements",
        "engagements_growth",
        "engagements_p99",
        "views_viral",
        "engagements_viral",
    ).sort("date_day", *ACCOUNT, "post_id")
