"""爆款 viral alerts: a post whose daily growth in views or engagements exceeds its account's 99th
percentile of daily growth.

Daily growth is the warehouse's own daily delta (``fct_post_daily``): the change of a post's
end-of-day cumulative value from its last known value of an earlier day, or from zero on the day it
was published. It is unknown (NULL) where the value is, and on a first observed day after the
publication day, whose delta carries the days before it (``carries_prior_accumulation``). An
account's baseline is every daily growth of its posts in the post-days given (the run reads the 90 days
before the month end); accounts with fewer than ``MIN_HISTORY`` growth values get no alert, because
a 99th percentile of a handful of values flags ordinary days.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import polars as pl

QUANTILE = 0.99
MIN_HISTORY = 30


_VIRAL_SQL = """
with post_days as (
{post_days}
),

growth as (
    select
        platform,
        account_id,
        post_id,
        date_day,
        views,
        engagements,
        case when not carries_prior_accumulation then views_delta end as views_growth,
        case when not carries_prior_accumulation then engagements_delta end as engagements_growth
    from post_days
),

account_baselines as (
    select
        platform,
        account_id,
        quantile_cont(views_growth, $quantile) as views_p99,
        quantile_cont(engagements_growth, $quantile) as engagements_p99
    from growth
    group by platform, account_id
    having count(views_growth) >= $min_history
),

flagged as (
    select
        growth.*,
        account_baselines.views_p99,
        account_baselines.engagements_p99,
        coalesce(growth.views_growth > account_baselines.views_p99, false) as views_viral,
        coalesce(growth.engagements_growth > account_baselines.engagements_p99, false) as engagements_viral
    from growth
    inner join account_baselines
        on growth.platform = account_baselines.platform and growth.account_id = account_baselines.account_id
    where ($flag_since is null or growth.date_day >= cast($flag_since as date))
        and ($flag_until is null or growth.date_day < cast($flag_until as date))
)

select
    platform, account_id, post_id, date_day, views, views_growth, views_p99,
    engagements, engagements_growth, engagements_p99, views_viral, engagements_viral
from flagged
where views_viral or engagements_viral
order by date_day, platform, account_id, post_id
"""


def viral_posts(
    con: duckdb.DuckDBPyConnection,
    post_days: str,
    params: dict[str, Any],
    since: date | None = None,
    until: date | None = None,
) -> pl.DataFrame:
    """Post-days whose growth exceeds the account's 99th percentile (views or engagements).

    ``post_days``: a query on ``con`` (with ``params``) giving rows of ``fct_post_daily``: platform,
    account_id, post_id, date_day, views, engagements, views_delta, engagements_delta,
    carries_prior_accumulation; every row is the baseline. ``since``/``until`` (local dates,
    inclusive/exclusive) limit the days flagged, not the baseline. DuckDB does it all: the run's
    baseline is millions of post-days, of which a handful come back.
    """
    bounds = {"quantile": QUANTILE, "min_history": MIN_HISTORY, "flag_since": since, "flag_until": until}
    return con.sql(_VIRAL_SQL.format(post_days=post_days), params={**params, **bounds}).pl()
