"""The platform's own per-post daily values and audience tables, through the real dbt build.

fct_post_daily takes a (post, day)'s delta from the platform where it reported the metric
(daily_source 'platform'), derives it from snapshots elsewhere without counting the platform's days
twice, and leaves out posts known only from daily values; fct_account_audience keeps one row per
account, period, dimension, bucket and metric (a re-export replaces the earlier one). Lakes are
written here with the entity schemas, so the test does not depend on any adapter. Expected values
are computed by hand from the rows below, and read back with plain SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd
import pytest

from citypulse.settings import Settings
from citypulse.warehouse.build import BuildOutcome, build, run_dbt_build
from tests.warehouse.conftest import home_settings, read_table
from tests.warehouse.lake_builder import _ledger, _post, _write, ingest_id

pytestmark = pytest.mark.slow

# Registered in dbt_project/seeds/accounts.csv (official, Dazu 500111).
DAZU_YOUTUBE = ("youtube", "UCd4zU7rkA1VqH0b9sPq2Ltw", "Dazu Rock Carvings")
UNREGISTERED = "UCzz0000000000000000000z"
PUBLISHED = "2026-10-01T01:00:00"
TABLES = {
    "fct_post_daily": "post_day_key",
    "fct_post_latest": "post_key",
    "fct_account_audience": "account_audience_key",
}


def _day(post_id: str, day: date, **numbers: Any) -> dict[str, Any]:
    return {"platform": "youtube", "account_id": DAZU_YOUTUBE[1], "post_id": post_id, "date": day, **numbers}


def _bucket(
    account_id: str, month: int, dimension: str, bucket: str, value: float | None, share: float | None
) -> dict:
    first = date(2026, month, 1)
    last = date(2026, month, 30 if month == 9 else 31)
    return {
        "platform": "youtube",
        "account_id": account_id,
        "period_start": first,
        "period_end": last,
        "dimension": dimension,
        "bucket": bucket,
        "metric": "views",
        "value": value,
        "share": share,
    }


def _land(settings: Settings, entity: str, name: str, rows: list[dict], landed: str) -> None:
    iid = ingest_id(name)
    _write(settings, entity, rows, iid)
    _ledger(settings, iid, name, "youtube", "2026-10-02T02:00:00", landed, len(rows))


def write_first(settings: Settings) -> None:
    """Snapshots of 2026-10-02 and 10-06, the first Studio chart and the September cities table."""
    _land(
        settings,
        "post_observations",
        "yt-videos-1.json",
        [
            _post(
                DAZU_YOUTUBE,
                "yt1",
                PUBLISHED,
                "2026-10-02T02:00:00",
                views=1000,
                likes=50,
                comments=5,
                shares=2,
            ),
            _post(
                DAZU_YOUTUBE,
                "yt2",
                PUBLISHED,
                "2026-10-02T02:00:00",
                views=500,
                likes=20,
                comments=1,
                shares=0,
            ),
            _post(
                DAZU_YOUTUBE,
                "yt2",
                PUBLISHED,
                "2026-10-06T02:00:00",
                views=800,
                likes=30,
                comments=1,
                shares=0,
            ),
        ],
        "2026-10-06T03:00:00",
    )
    _land(
        settings,
        "post_daily",
        "yt-chart-1.csv",
        [_day("yt1", date(2026, 10, 3), views=180)],  # restated by the second chart
        "2026-10-06T03:01:00",
    )
    _land(
        settings,
        "audience_breakdown",
        "yt-cities-2026-09.csv",
        [
            _bucket(DAZU_YOUTUBE[1], 9, "city", "London, UK", 600, 0.6),  # restated below
            _bucket(DAZU_YOUTUBE[1], 9, "city", "New York, NY, USA", 400, 0.4),
            _bucket(DAZU_YOUTUBE[1], 9, "country", "GB", 600, 0.6),
        ],
        "2026-10-06T03:02:00",
    )


def write_second(settings: Settings) -> None:
    """Snapshots of 10-06 and 10-08, a second chart restating 10-03, and the October audience."""
    _land(
        settings,
        "post_observations",
        "yt-videos-2.json",
        [
            _post(
                DAZU_YOUTUBE,
                "yt1",
                PUBLISHED,
                "2026-10-06T02:00:00",
                views=2000,
                likes=90,
                comments=9,
                shares=4,
            ),
            _post(
                DAZU_YOUTUBE,
                "yt1",
                PUBLISHED,
                "2026-10-08T02:00:00",
                views=2600,
                likes=100,
                comments=9,
                shares=4,
            ),
        ],
        "2026-10-08T03:00:00",
    )
    _land(
        settings,
        "post_daily",
        "yt-chart-2.csv",
        [
            _day("yt1", date(2026, 10, 3), views=200, likes=10),
            _day("yt1", date(2026, 10, 4), views=300),
            _day("yt1", date(2026, 10, 5), views=250, likes=12),
            _day("yt1", date(2026, 10, 6), views=150),
            # yt2 changes only through this chart: the incremental build must redo it all the same
            _day("yt2", date(2026, 10, 4), views=120),
            # never snapshotted: no dim_post row, so no fct_post_daily row
            _day("yt9", date(2026, 10, 4), views=77),
        ],
        "2026-10-08T03:01:00",
    )
    _land(
        settings,
        "audience_breakdown",
        "yt-audience-2.csv",
        [
            _bucket(DAZU_YOUTUBE[1], 9, "city", "London, UK", 650, 0.65),
            # a full-width export label meets its ASCII spelling (NFKC)
            _bucket(DAZU_YOUTUBE[1], 10, "city", "Ｌｏｎｄｏｎ, UK", None, 0.5),
            _bucket(DAZU_YOUTUBE[1], 10, "age", "18–24 years", 90, None),
            _bucket(UNREGISTERED, 10, "country", "US", 10, 1.0),
        ],
        "2026-10-08T03:02:00",
    )


@dataclass
class Builds:
    settings: Settings
    published: BuildOutcome
    incremental: dict[str, pd.DataFrame]
    full_refresh: dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    with home_settings(tmp_path_factory, "post-daily") as settings:
        write_first(settings)
        run_dbt_build(settings, full_refresh=True)
        write_second(settings)
        published = build(settings)  # incremental, audited (dbt tests + GX), published
        incremental = {t: read_table(settings.build_db, t, k) for t, k in TABLES.items()}
        run_dbt_build(settings, full_refresh=True)
        full_refresh = {t: read_table(settings.build_db, t, k) for t, k in TABLES.items()}
        yield Builds(settings, published, incremental, full_refresh)


def _rows(builds: Builds, sql: str) -> list[tuple]:
    assert builds.published.serving_db is not None, builds.published.to_json()
    with duckdb.connect(str(builds.published.serving_db), read_only=True) as con:
        return [tuple(row) for row in con.execute(sql).fetchall()]


def test_audit_passes_and_publishes(builds: Builds) -> None:
    report = builds.published.to_json()
    assert report["status"] == "published", report["failed_checks"]


def test_platform_values_where_reported_derived_elsewhere(builds: Builds) -> None:
    rows = _rows(
        builds,
        "select cast(date_day as varchar), daily_source, views, views_delta, likes, likes_delta,"
        " comments_delta, engagements_delta, carries_prior_accumulation, last_observed_at is null"
        " from fct_post_daily where post_id = 'yt1' order by date_day",
    )
    assert rows == [
        # the first snapshot carries everything since publication
        ("2026-10-02", "derived", 1000, 1000, 50, 50, 5, 57, True, False),
        # platform days without a snapshot: no cumulative; metrics not reported and not derivable stay NULL
        ("2026-10-03", "platform", None, 200, None, 10, None, 10, False, True),
        ("2026-10-04", "platform", None, 300, None, None, None, None, False, True),
        ("2026-10-05", "platform", None, 250, None, 12, None, 12, False, True),
        # snapshot and platform day: views from the platform; likes (not reported that day) derived
        # as 90 - 50 - (10 + 12) = 18, engagements as 103 - 57 - (10 + 12) = 24
        ("2026-10-06", "platform", 2000, 150, 90, 18, 4, 24, False, False),
        # after the platform days: 2600 - 1000 - (200 + 300 + 250 + 150) = 700, nothing counted twice
        ("2026-10-08", "derived", 2600, 700, 100, 10, 0, 10, False, False),
    ]


def test_a_post_changed_only_by_daily_values_and_posts_without_snapshots(builds: Builds) -> None:
    yt2 = _rows(
        builds,
        "select cast(date_day as varchar), daily_source, views, views_delta from fct_post_daily"
        " where post_id = 'yt2' order by date_day",
    )
    assert yt2 == [
        ("2026-10-02", "derived", 500, 500),
        ("2026-10-04", "platform", None, 120),
        ("2026-10-06", "derived", 800, 180),
    ]
    assert _rows(builds, "select count(*) from fct_post_daily where post_id = 'yt9'") == [(0,)]
    # the latest cumulative values come from the latest snapshot day, not the latest platform day
    latest = _rows(
        builds,
        "select post_id, cast(last_observed_date as varchar), views from fct_post_latest"
        " where platform = 'youtube' order by post_id",
    )
    assert latest == [("yt1", "2026-10-08", 2600), ("yt2", "2026-10-06", 800)]


def test_snapshot_only_posts_keep_their_derived_deltas(builds: Builds) -> None:
    # every day of every post: delta = cumulative - previous cumulative where no platform day intervenes
    mismatched = _rows(
        builds,
        """
        with days as (
            select post_id, date_day, daily_source, views, views_delta,
                lag(views) over (partition by post_id order by date_day) as previous_views
            from fct_post_daily
        )
        select post_id, date_day from days
        where post_id not in (select post_id from days where daily_source = 'platform')
            and views_delta is distinct from views - coalesce(previous_views, 0)
        """,
    )
    assert mismatched == []


def test_audience_rows_and_shares(builds: Builds) -> None:
    rows = _rows(
        builds,
        "select account_id, city_code, cast(period_start as varchar), cast(period_end as varchar), dimension,"
        " bucket, metric, value, share from fct_account_audience order by account_id, period_start, dimension, bucket",
    )
    dazu = DAZU_YOUTUBE[1]
    # an account without registry entry or profile is of unknown type: its id is pseudonymised (PIPL)
    unknown = rows[-1][0]
    assert unknown.startswith("p_") and unknown != UNREGISTERED
    assert rows == [
        (dazu, "500111", "2026-09-01", "2026-09-30", "city", "London, UK", "views", 650.0, 0.65),
        (dazu, "500111", "2026-09-01", "2026-09-30", "city", "New York, NY, USA", "views", 400.0, 0.4),
        (dazu, "500111", "2026-09-01", "2026-09-30", "country", "GB", "views", 600.0, 0.6),
        (dazu, "500111", "2026-10-01", "2026-10-31", "age", "18–24 years", "views", 90.0, None),
        (dazu, "500111", "2026-10-01", "2026-10-31", "city", "London, UK", "views", None, 0.5),
        (unknown, None, "2026-10-01", "2026-10-31", "country", "US", "views", 10.0, 1.0),
    ]
    # every audience row hangs off a dim_account row
    orphans = _rows(
        builds,
        "select count(*) from fct_account_audience a left join dim_account d using (account_key)"
        " where d.account_key is null",
    )
    assert orphans == [(0,)]


def test_incremental_build_equals_full_refresh(builds: Builds) -> None:
    for table, incremental in builds.incremental.items():
        full = builds.full_refresh[table]
        assert len(incremental) > 0, table
        assert incremental.equals(full), f"{table}: incremental build differs from full refresh"
