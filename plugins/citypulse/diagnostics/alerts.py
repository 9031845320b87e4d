"""爆款 viral alerts on the day the data lands: flag the official posts whose growth on ``day``
exceeds their account's 99th percentile of daily growth, and send each through the notifier.

Reads the published warehouse read-only (``fct_post_daily``, ``dim_post`` and the registry's
official accounts, ``dim_official_account``), so it can run after every publish; with no notification channel configured nothing is
sent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from citypulse.diagnostics import viral
from citypulse.notify import Notifier, notifier_from_env, viral_post
from citypulse.settings import LOCAL_TZ

_POST_DAYS_SQL = """
select post_day.platform, post_day.account_id, post_day.post_id, post_day.date_day, post_day.views,
    post_day.engagements, post_day.views_delta, post_day.engagements_delta,
    post_day.carries_prior_accumulation, cast(accounts.city_code as varchar) as city_code, post.title,
    post.post_url
from fct_post_daily as post_day
inner join dim_official_account as accounts
    on post_day.platform = accounts.platform and post_day.account_id = accounts.account_id
left join dim_post as post on post_day.post_key = post.post_key
where post_day.date_day >= cast($since as date) and post_day.date_day <= cast($day as date)
"""


def viral_alerts_on(serving_db: Path, day: date, baseline_days: int = 90) -> pl.DataFrame:
    """The official posts flagged viral on local ``day`` (one row per post, with city, title, url).

    The baseline is the ``baseline_days`` local days ending with ``day``.
    """
    with duckdb.connect(str(serving_db), read_only=True) as con:
        post_days = con.sql(
            _POST_DAYS_SQL, params={"since": day - timedelta(days=baseline_days - 1), "day": day}
        ).pl()
    posts = post_days.select("platform", "post_id", "city_code", "title", "post_url").unique(
        ["platform", "post_id"]
    )
    with duckdb.connect() as con:
        con.register("post_days", post_days)
        flagged = viral.viral_posts(con, "select * from post_days", {}, day, day + timedelta(days=1))
    return flagged.join(posts, on=["platform", "post_id"], how="left")


def send_viral_alerts(alerts: pl.DataFrame, notifier: Notifier | None = None) -> int:
    """Send one notice per flagged post; returns the number of notices sent (0 with no channel)."""
    notifier = notifier or notifier_from_env()
    if not notifier.channels or alerts.is_empty():
        return 0
    # a handful of alerts a day, each a message to people: a loop over notices, not over data rows
    for alert in alerts.iter_rows(named=True):
        growth = alert["views_growth"] if alert["views_viral"] else alert["engagements_growth"]
        threshold = alert["views_p99"] if alert["views_viral"] else alert["engagements_p99"]
        viral_post(
            alert["platform"],
            alert["post_id"],
            int(growth),
            int(threshold),
            title=alert.get("title"),
            url=alert.get("post_url"),
            city=alert.get("city_code"),
            notifier=notifier,
        )
    return alerts.height


def alert_latest_day(serving_db: Path, tz: str = LOCAL_TZ) -> int:
    """After a publish: flag the newest observed local day's viral posts and notify (0 when none).

    The newest day in the data, not the wall clock, so a late-arriving export still alerts once.
    """
    with duckdb.connect(str(serving_db), read_only=True) as con:
        row = con.execute("select max(observed_at) from fct_post_snapshot").fetchone()
    if not row or row[0] is None:
        return 0
    newest: datetime = row[0]
    return send_viral_alerts(viral_alerts_on(serving_db, newest.astimezone(ZoneInfo(tz)).date()))
