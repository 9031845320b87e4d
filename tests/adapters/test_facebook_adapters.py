"""Facebook adapters: Business Suite posts, page-level daily files, legacy Insights post and page exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from citypulse.adapters.facebook_business_posts import longer_caption
from citypulse.settings import Settings
from tests.fixtures.overseas.harness import by_id, fixture, land

SEPTEMBER = {"observed_at": "2026-10-01T09:00:00+08:00"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(tmp_path_factory.mktemp("facebook") / "home").ensure()


def test_longer_caption_prefers_the_longer_cell_and_keeps_nulls() -> None:
    frame = pl.DataFrame({"t": ["Hot pot night", None, "", None], "d": ["Hot pot", "Morning", "x", None]})
    assert frame.select(longer_caption(pl.col("t"), pl.col("d")))["d"].to_list() == [
        "Hot pot night",
        "Morning",
        "x",
        None,
    ]


def test_business_suite_posts(settings: Settings) -> None:
    name = "Sep-01-2026_Sep-30-2026_1234567890123456.csv"
    landed = land(settings, "facebook", "visitchengdu", name, fixture(f"facebook/{name}"), SEPTEMBER)
    assert (landed.result.adapter, landed.ledger()["encoding"]) == ("facebook_business_posts", "utf-8-sig")
    posts = landed.rows("post_observations")
    photo = by_id(posts, "post_id", "1234567890123456_9876543210987654")
    # the caption is in Description here (the longer of Title/Description), multi-line with quotes
    assert photo["text"] == 'Morning at the panda base 🐼\nSecond line with "quotes"'
    assert photo["title"] is None
    assert photo["published_at"] == datetime(2026, 9, 28, 10, 12, tzinfo=UTC)  # 18:12 Asia/Shanghai
    assert (photo["views"], photo["reach"], photo["likes"], photo["comments"], photo["shares"]) == (
        1234,
        800,
        100,
        15,
        5,
    )
    assert (photo["account_id"], photo["account_name"], photo["post_type"]) == (
        "1234567890123456",
        "Visit Chengdu",
        "Photos",
    )
    reel = by_id(posts, "post_id", "1234567890123456_1111111111111111")
    assert (reel["text"], reel["title"], reel["duration_s"]) == ("Hot pot night", "Hot pot night", 32.0)
    assert reel["published_at"] == datetime(2025, 12, 31, 16, 30, tzinfo=UTC)  # 01/01/2026 00:30 local
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [4]
    assert "column publish time: '2026-13-45' is not a date/time" in rejects["reason"][0]


def test_business_suite_older_shape_with_impressions_and_page_zone(settings: Settings) -> None:
    name = "Aug-01-2024_Aug-31-2024_1234567890123456.csv"
    landed = land(
        settings,
        "facebook",
        "visitchengdu_ny",
        name,
        fixture(f"facebook/{name}"),
        {"observed_at": "2026-10-01T00:00:00Z", "timezone": "America/New_York"},
    )
    # 32 columns and a capitalised "Reactions, Comments and Shares": still the same format
    assert landed.result.adapter == "facebook_business_posts"
    post = landed.rows("post_observations").row(0, named=True)
    assert (post["views"], post["impressions"]) == (2500, 2500)  # "2,500" Impressions stands in for Views
    assert post["published_at"] == datetime(2026, 9, 28, 22, 12, tzinfo=UTC)  # 18:12 New York (EDT)


def test_page_daily_utf16_follows(settings: Settings) -> None:
    landed = land(
        settings, "facebook", "visitchengdu", "Follows.csv", fixture("facebook/Follows.csv"), SEPTEMBER
    )
    assert (landed.result.adapter, landed.ledger()["encoding"]) == ("facebook_page_daily", "utf-16-le")
    days = landed.rows("account_daily")
    assert days["date"].to_list() == [date(2025, 8, 1), date(2025, 8, 2), date(2025, 8, 3)]
    assert days["followers_gained"].to_list() == [20, 0, None]  # empty stays NULL
    assert days["views"].null_count() == 3
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [7] and rejects["value"][0] == "abc"


def test_page_daily_views(settings: Settings) -> None:
    landed = land(settings, "facebook", "visitchengdu", "Views.csv", fixture("facebook/Views.csv"), SEPTEMBER)
    days = landed.rows("account_daily")
    assert days["views"].to_list() == [1520, 980] and days["followers_gained"].null_count() == 2


def test_page_daily_metric_comes_from_the_title_line_not_the_file_name(settings: Settings) -> None:
    # People rename downloads: neither name says the metric; the title line above the header does.
    for name, title, column in (
        ("page-export (3).csv", "Facebook follows", "followers_gained"),
        ("Views.csv", "Facebook visits", "profile_views"),  # the title wins over a misleading name
    ):
        text = f'sep=,\r\n"{title}"\r\n"Date","Primary"\r\n"2025-08-01T00:00:00","12"\r\n'
        landed = land(
            settings, "facebook", "renamed", name, b"\xff\xfe" + text.encode("utf-16-le"), SEPTEMBER
        )
        days = landed.rows("account_daily")
        assert days[column].to_list() == [12], (name, title)
        others = [c for c in ("followers_gained", "views", "profile_views") if c != column]
        assert all(days[c].to_list() == [None] for c in others), (name, title)
        assert landed.rejects().height == 0


def test_page_daily_metric_without_a_column_is_refused_with_reason(settings: Settings) -> None:
    text = 'sep=,\r\n"Link clicks"\r\n"Date","Primary"\r\n"2025-08-01T00:00:00","7"\r\n'
    landed = land(
        settings,
        "facebook",
        "visitchengdu",
        "Link clicks.csv",
        b"\xff\xfe" + text.encode("utf-16-le"),
        SEPTEMBER,
    )
    assert landed.result.status == "landed" and landed.rows("account_daily").height == 0
    assert "has no account_daily column" in landed.rejects()["reason"][0]


@pytest.mark.real_exports
def test_real_legacy_insights_post_level(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "facebook",
        "vicstudio",
        "Facebook Insights Data Export (Post Level) - Visualization Studio VIC - 2014-08-24 - 2015-02-19.csv",
        real_exports / "facebook/kth-vic-insights-post-level-2014-08-24_2015-02-19.csv",
        {"observed_at": "2015-02-21T00:00:00Z"},
    )
    assert landed.result.adapter == "facebook_insights_posts"
    posts = landed.rows("post_observations")
    assert posts.height == 98
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [2] and "description row" in rejects["reason"][0]
    first = by_id(posts, "post_id", "518995791497187_922831414446954")
    assert first["account_id"] == "518995791497187"
    assert first["published_at"] == datetime(2015, 2, 20, 7, 45, 22, tzinfo=UTC)  # 11:45:22 PM Pacific
    assert (first["reach"], first["impressions"], first["views"]) == (371, 1116, 1116)
    assert (first["likes"], first["comments"], first["shares"], first["post_type"]) == (37, 4, 3, "Link")
    assert posts["post_type"].null_count() == 1  # one post has an empty Type
    assert not posts["text"].str.contains("&quot;", literal=True).any()
    assert posts["account_id"].unique().to_list() == ["518995791497187"]


@pytest.mark.real_exports
def test_real_legacy_insights_page_level(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "facebook",
        "vicstudio",
        "Facebook Insights Data Export - Visualization Studio VIC - 2014-01-01 - 2014-02-27.csv",
        real_exports / "facebook/kth-vic-insights-page-level-2014-01-01_2014-02-27.csv",
        {"observed_at": "2014-02-28T12:00:00Z"},
    )
    assert (landed.result.adapter, landed.ledger()["encoding"]) == ("facebook_insights_page", "windows-1252")
    days = landed.rows("account_daily")
    assert (
        days.height == 58
        and days["date"].min() == date(2014, 1, 1)
        and days["date"].max() == date(2014, 2, 27)
    )
    last = by_id(days, "date", date(2014, 2, 27))  # type: ignore[arg-type]
    assert (last["followers"], last["followers_gained"], last["followers_lost"], last["views"]) == (
        128,
        0,
        0,
        5,
    )
    feb25 = by_id(days, "date", date(2014, 2, 25))  # type: ignore[arg-type]
    assert (feb25["followers"], feb25["followers_gained"], feb25["views"], feb25["profile_views"]) == (
        128,
        1,
        59,
        1,
    )
    assert days["account_id"].unique().to_list() == ["vicstudio"]  # the export names no page: the folder does
