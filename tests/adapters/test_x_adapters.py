"""X (Twitter) adapters: legacy tweet activity and daily exports, 2024+ content and overview exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from citypulse.adapters.x_account_content import snowflake_time
from citypulse.settings import Settings
from tests.fixtures.overseas.harness import by_id, fixture, land


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(tmp_path_factory.mktemp("x") / "home").ensure()


def test_snowflake_time_is_integer_arithmetic_on_the_id() -> None:
    ids = pl.DataFrame({"post_id": ["1891564128784855141", "20", "1.89156E+18", None]})
    times = ids.select(snowflake_time(pl.col("post_id")))["post_id"].to_list()
    assert times == [datetime(2025, 2, 17, 19, 3, 26, 521000, tzinfo=UTC), None, None, None]


def test_tweet_activity_fixture(settings: Settings) -> None:
    name = "tweet_activity_metrics_VisitChengdu_20190101_20190201_en.csv"
    landed = land(settings, "x", "visitchengdu", name, fixture(f"x/{name}"))
    entry = landed.ledger()
    assert (entry["adapter"], entry["observed_at_source"]) == ("x_tweet_activity", "filename")
    assert entry["observed_at"] == datetime(2019, 2, 1, tzinfo=UTC)
    posts = landed.rows("post_observations")
    first = by_id(posts, "post_id", "1091117122825084928")
    assert first["text"] == "Pandas & tea\n#chengdu 🐼\n\nsecond paragraph"  # multi-line, &amp; unescaped
    assert first["published_at"] == datetime(2019, 1, 31, 23, 32, tzinfo=UTC)
    assert (first["views"], first["impressions"], first["likes"], first["shares"]) == (2633, 2633, 7, 5)
    assert first["account_name"] == "VisitChengdu"
    promoted = by_id(posts, "post_id", "1091112623976763393")
    assert promoted["impressions"] == 1000  # organic figure; the promoted "500.0" is not added
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [4]
    assert rejects["reason"][0] == "x_tweet_activity: row 4, column time: 'yesterday' is not a date/time"


def test_account_content_fixture(settings: Settings) -> None:
    name = "account_analytics_content_2026-08-01_2026-09-30.csv"
    landed = land(
        settings,
        "x",
        "visitchengdu_posts",
        name,
        fixture(f"x/{name}"),
        {"observed_at": "2026-09-30T00:00:00Z"},
    )
    posts = landed.rows("post_observations")
    assert posts["post_id"].to_list() == ["2098705739928429120", "2099286755374129728"]
    first = by_id(posts, "post_id", "2098705739928429120")
    assert first["published_at"] == datetime(2026, 9, 12, 9, 30, 15, 123000, tzinfo=UTC)
    assert (first["views"], first["saves"], first["text"]) == (1070, 1, 'Faltam 2 dias, "live" hoje')
    late = by_id(posts, "post_id", "2099286755374129728")
    assert late["published_at"] == datetime(2026, 9, 13, 23, 59, tzinfo=UTC)
    # shares = Reposts; of the two rows for this post the first is kept
    assert (late["shares"], late["comments"], late["views"]) == (1, 9, 174)
    reasons = dict(zip(landed.rejects()["source_row"], landed.rejects()["reason"], strict=True))
    assert "appears earlier in this file" in reasons[4]
    assert "not an X post id" in reasons[5]


def test_account_content_refuses_a_date_far_from_the_id(settings: Settings) -> None:
    header = fixture("x/account_analytics_content_2026-08-01_2026-09-30.csv").read_text().splitlines()[0]
    row = (
        '2098705739928429120,"Sat, Jan 3, 2026",Mangled,https://x.com/VisitChengdu/status/2098705739928429120,'
        "1,1,1,0,0,0,0,0,0,0,0,0,0"
    )
    landed = land(
        settings,
        "x",
        "mangled",
        "account_analytics_content_2026-01-01_2026-09-30.csv",
        f"{header}\n{row}\n".encode(),
        {"observed_at": "2026-09-30T00:00:00Z"},
    )
    assert landed.rows("post_observations").height == 0
    assert "Date is more than a day away from the time in Post id" in landed.rejects()["reason"][0]


def test_account_overview_fixture(settings: Settings) -> None:
    landed = land(
        settings,
        "x",
        "visitchengdu_daily",
        "account_overview_analytics.csv",
        fixture("x/account_overview_analytics.csv"),
        {"observed_at": "2025-02-19T00:00:00Z"},
    )
    days = landed.rows("account_daily")
    assert days["date"].to_list() == [date(2025, 2, 18), date(2025, 2, 17), date(2025, 2, 16)]
    feb16 = by_id(days, "date", date(2025, 2, 16))  # type: ignore[arg-type]
    assert (feb16["followers_gained"], feb16["followers_lost"], feb16["views"]) == (2, 1, 98)


@pytest.mark.real_exports
def test_real_ropensci_tweet_activity(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "x",
        "ropensci",
        "tweet_activity_metrics_rOpenSci_20190101_20190201_en.csv",
        real_exports / "x/ropensci-tweet-activity-metrics-2019-01.csv",
    )
    posts = landed.rows("post_observations")
    assert posts.height == 31 and landed.rejects().height == 0
    first = by_id(posts, "post_id", "1091117122825084928")
    assert first["published_at"] == datetime(2019, 1, 31, 23, 32, tzinfo=UTC)
    assert (first["views"], first["likes"], first["shares"], first["comments"]) == (2633, 7, 5, 0)
    assert "\n" in first["text"] and "🎉" in first["text"]
    assert not posts["text"].str.contains("&amp;", literal=True).any()
    assert posts["account_name"].unique().to_list() == ["rOpenSci"]
    assert posts["published_at"].min() == datetime(2019, 1, 8, 17, 18, tzinfo=UTC)


@pytest.mark.real_exports
def test_real_lisadebruine_daily_activity(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "x",
        "lisadebruine",
        "daily_tweet_activity_metrics_LisaDeBruine_20210801_20210901_en.csv",
        real_exports / "x/lisadebruine-daily-tweet-activity-metrics-2021-08.csv",
    )
    assert landed.result.adapter == "x_daily_activity"
    days = landed.rows("account_daily")
    assert (
        days.height == 31
        and days["date"].min() == date(2021, 8, 1)
        and days["date"].max() == date(2021, 8, 31)
    )
    aug4 = by_id(days, "date", date(2021, 8, 4))  # type: ignore[arg-type]
    assert (aug4["views"], aug4["likes"], aug4["comments"]) == (22394, 96, 15)
    assert days["profile_views"].null_count() == 0


@pytest.mark.real_exports
def test_real_wormhole_account_content(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "x",
        "wormhole_br",
        "account_analytics_content_2024-11-21_2025-02-19.csv",
        real_exports / "x/wormholebr-account-analytics-content-2024-11-21_2025-02-19.csv",
    )
    # no manifest: the file name's range dates it by its last day (not 2024-11-21 20:25:02)
    assert (landed.ledger()["observed_at_source"], landed.ledger()["observed_at"]) == (
        "filename",
        datetime(2025, 2, 19, tzinfo=UTC),
    )
    posts = landed.rows("post_observations")
    assert posts.height == 141 and landed.rejects().height == 0  # every Date agrees with its Snowflake id
    live = by_id(posts, "post_id", "1891564128784855141")
    # the file's Date says only "Mon Feb 17 2025"; the clock time comes from the Snowflake id
    assert live["published_at"] == datetime(2025, 2, 17, 19, 3, 26, 521000, tzinfo=UTC)
    assert (live["views"], live["likes"], live["saves"]) == (70, 3, 1)
    assert by_id(posts, "post_id", "1874078422043127856")["published_at"] == datetime(
        2024, 12, 31, 13, 1, 29, 165000, tzinfo=UTC
    )
    assert posts["account_name"].unique().to_list() == ["Wormhole_BR"]
    assert posts["post_id"].str.len_chars().unique().to_list() == [19]


@pytest.mark.real_exports
def test_real_wormhole_account_overview(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "x",
        "wormhole_br",
        "account_overview_analytics.csv",
        real_exports / "x/wormholebr-account-overview-analytics.csv",
        {"observed_at": "2025-02-19T12:00:00Z"},
    )
    days = landed.rows("account_daily")
    assert days.height == 50
    assert days["date"].to_list()[:2] == [date(2025, 2, 18), date(2025, 2, 17)]  # newest first, as written
    assert days["date"].min() == date(2024, 12, 31)
    new_year = by_id(days, "date", date(2025, 1, 1))  # type: ignore[arg-type]
    assert (new_year["views"], new_year["followers_gained"], new_year["comments"], new_year["shares"]) == (
        360,
        6,
        8,
        6,
    )
