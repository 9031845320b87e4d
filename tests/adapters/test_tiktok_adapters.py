"""TikTok adapters: Studio Content / Overview / FollowerHistory (CSV or zipped), Research API JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from citypulse.adapters.tiktok_studio_dates import years_from_row_order
from citypulse.settings import Settings
from tests.fixtures.overseas.harness import by_id, fixture, land, zipped

JANUARY_3 = {"observed_at": "2026-01-03T10:00:00Z"}
HAILEY = {"observed_at": "2026-02-28T12:00:00Z"}  # the day the real export set was committed


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(tmp_path_factory.mktemp("tiktok") / "home").ensure()


def test_years_from_row_order_counts_new_years_after_each_row() -> None:
    # as parsed alone against an observation on 2026-02-27: the first "February 28" lands in 2025
    # only by luck of the reference; "March 1" would wrongly be 2025 *after* a 2026 row, etc.
    frame = pl.LazyFrame(
        {
            "_source_row": [2, 3, 4, 5, 6],
            "src:date": ["February 28", "March 1", "December 31", "January 1", "February 27"],
            "date": [
                date(2026, 2, 28),
                date(2025, 3, 1),
                date(2025, 12, 31),
                date(2026, 1, 1),
                date(2026, 2, 27),
            ],
        }
    )
    dated = years_from_row_order(frame, ("Date",)).collect()["date"].to_list()
    assert dated == [
        date(2025, 2, 28),
        date(2025, 3, 1),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 2, 27),
    ]


def test_studio_content(settings: Settings) -> None:
    landed = land(settings, "tiktok", "visitchengdu", "Content.csv", fixture("tiktok/Content.csv"), JANUARY_3)
    posts = landed.rows("post_observations")
    # the ids' upper 32 bits are their creation times: 2025-12-31 20:12 and 2026-01-02 10:00 UTC
    assert posts["post_id"].to_list() == ["7590117423970258206", "7590701860651020345"]
    panda = by_id(posts, "post_id", "7590117423970258206")
    assert panda["published_at"] == datetime(2025, 12, 31, tzinfo=UTC)  # "December 31" seen on January 3
    counts = (panda["views"], panda["likes"], panda["comments"], panda["shares"])
    assert counts == (191265, 533, 32, 16)  # the first of the two rows for this video
    assert (panda["title"], panda["account_name"]) == ("Chengdu pandas 🐼", "visitchengdu")
    untitled = by_id(posts, "post_id", "7590701860651020345")
    assert untitled["title"] is None and untitled["published_at"] == datetime(2026, 1, 2, tzinfo=UTC)
    reasons = dict(zip(landed.rejects()["source_row"], landed.rejects()["reason"], strict=True))
    assert set(reasons) == {4, 5, 6}
    assert "same video appears earlier" in reasons[4]
    assert "required value (post_id) is missing" in reasons[5]
    assert "'Smarch 40' is not a date/time" in reasons[6]


def test_studio_overview_languages_across_new_year(settings: Settings) -> None:
    english = land(
        settings, "tiktok", "visitchengdu", "Overview.csv", fixture("tiktok/Overview.csv"), JANUARY_3
    )
    days = english.rows("account_daily")
    assert days["date"].to_list() == [
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2026, 1, 1),
        date(2026, 1, 2),
    ]
    assert days["views"].to_list() == [100, 200, None, 1200]  # "undefined" is unknown; "1,200"
    assert days["profile_views"].to_list() == [5, 6, 7, 8]
    portuguese = land(
        settings, "tiktok", "visitchengdu", "Overview_pt.csv", fixture("tiktok/Overview_pt.csv"), JANUARY_3
    )
    assert portuguese.result.adapter == "tiktok_studio_overview_pt"
    assert portuguese.rows("account_daily")["date"].to_list() == [date(2025, 12, 30), date(2026, 1, 1)]
    chinese = land(
        settings, "tiktok", "visitchengdu", "Overview_zh.csv", fixture("tiktok/Overview_zh.csv"), JANUARY_3
    )
    assert chinese.rows("account_daily")["date"].to_list() == [date(2025, 12, 31), date(2026, 1, 1)]


def test_follower_history_recomputes_the_daily_change(settings: Settings) -> None:
    landed = land(
        settings,
        "tiktok",
        "visitchengdu",
        "FollowerHistory.csv",
        fixture("tiktok/FollowerHistory.csv"),
        JANUARY_3,
    )
    days = landed.rows("account_daily").sort("date")
    assert days["date"].to_list() == [date(2025, 12, 29 + i) for i in range(3)] + [
        date(2026, 1, d) for d in (1, 2, 3)
    ]
    assert days["followers"].to_list() == [None, 100, 110, None, 105, 107]
    # 110 − 100 on Dec 31; NULL next to unknown days (never the file's "Difference" column)
    assert days["followers_gained"].to_list() == [None, None, 10, None, None, 2]
    assert days["followers_lost"].null_count() == 6


def test_studio_zip_of_csvs(settings: Settings) -> None:
    archive = zipped({"Overview.csv": fixture("tiktok/Overview.csv").read_bytes().replace(b"\n", b"\r\n")})
    landed = land(settings, "tiktok", "zipped", "Overview_visitchengdu_1767434400.zip", archive, JANUARY_3)
    assert [m.adapter for m in landed.result.members] == ["tiktok_studio_overview"]
    assert landed.rows("account_daily").height == 4


def test_research_api_videos(settings: Settings) -> None:
    landed = land(
        settings, "tiktok", "research", "query_2026-01-03.json", fixture("tiktok/research_videos.json")
    )
    posts = landed.rows("post_observations")
    panda = by_id(posts, "post_id", "7527623000473079054")  # a JSON integer, kept exactly as text
    assert panda["published_at"] == datetime(2025, 7, 16, 8, tzinfo=UTC)  # create_time 1752652800
    assert (panda["views"], panda["likes"], panda["shares"], panda["ip_location"]) == (191265, 533, 16, "CN")
    assert panda["post_url"] == "https://www.tiktok.com/@visitchengdu/video/7527623000473079054"
    assert panda["account_id"] == "visitchengdu"
    sparse = by_id(posts, "post_id", "7531345990947851551")
    assert sparse["likes"] is None and sparse["text"] is None
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [3] and "'soon' is not a date/time" in rejects["reason"][0]


@pytest.mark.real_exports
def test_real_haileytupy_content(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "tiktok",
        "haileytupy",
        "Content.csv",
        real_exports / "tiktok/haileytupy-studio-content.csv",
        HAILEY,
    )
    posts = landed.rows("post_observations")
    assert posts.height == 13 and landed.rejects().height == 0
    top = by_id(posts, "post_id", "7527623000473079054")
    assert top["published_at"] == datetime(2025, 7, 16, tzinfo=UTC)  # "July 16"
    assert (top["views"], top["likes"], top["comments"], top["shares"]) == (191265, 533, 32, 16)
    assert top["title"] == "@Unbrush #unbrush #unbrushplus #unbrushhairbrush"  # trailing space trimmed
    assert by_id(posts, "post_id", "7602008805399940407")["published_at"] == datetime(2026, 2, 1, tzinfo=UTC)
    # "December 31" exported on February 28 is the previous year's
    assert by_id(posts, "post_id", "7590117423970258206")["published_at"] == datetime(
        2025, 12, 31, tzinfo=UTC
    )
    assert posts["title"].null_count() == 2  # two videos have an empty title
    assert posts["account_name"].unique().to_list() == ["haileytupy2.0"]


@pytest.mark.real_exports
def test_real_haileytupy_overview(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "tiktok",
        "haileytupy",
        "Overview.csv",
        real_exports / "tiktok/haileytupy-studio-overview.csv",
        HAILEY,
    )
    days = landed.rows("account_daily")
    assert days.height == 365 and days["date"].n_unique() == 365 and landed.rejects().height == 0
    assert (days["date"].min(), days["date"].max()) == (date(2025, 2, 28), date(2026, 2, 27))
    last = by_id(days, "date", date(2026, 2, 27))  # type: ignore[arg-type]
    assert (last["views"], last["profile_views"], last["likes"], last["comments"], last["shares"]) == (
        18237,
        15,
        30,
        0,
        6,
    )
    assert by_id(days, "date", date(2025, 8, 12))["comments"] == -1  # type: ignore[arg-type]


@pytest.mark.real_exports
def test_real_haileytupy_follower_history(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "tiktok",
        "haileytupy",
        "FollowerHistory.csv",
        real_exports / "tiktok/haileytupy-studio-follower-history.csv",
        HAILEY,
    )
    days = landed.rows("account_daily")
    assert days.height == 365 and days["followers"].null_count() == 25  # "undefined"
    march26 = by_id(days, "date", date(2025, 3, 26))  # type: ignore[arg-type]
    assert (march26["followers"], march26["followers_gained"]) == (152, 115)
    assert by_id(days, "date", date(2025, 3, 25))["followers_gained"] is None  # type: ignore[arg-type]
    assert by_id(days, "date", date(2026, 1, 1))["followers_gained"] == -3  # type: ignore[arg-type]
    assert by_id(days, "date", date(2026, 2, 27))["followers"] == 5013  # type: ignore[arg-type]


@pytest.mark.real_exports
def test_real_spanish_overview(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "tiktok",
        "franco",
        "Overview.csv",
        real_exports / "tiktok/franco-studio-overview-es.csv",
        {"observed_at": "2025-03-16T00:00:00Z"},
    )
    days = landed.rows("account_daily")
    assert days["date"].to_list() == [date(2025, 3, d) for d in range(8, 15)]  # "8 de marzo" …
    assert days["views"].to_list() == [0, 0, 1, 1, 0, 0, 7]
