"""Meta Business Suite real exports (second set): every file lands with exact values.

Publish times have no zone in the exports; with no ``timezone`` in the manifest they are read as
Asia/Shanghai (UTC+8), so ``03/19/2026 06:02`` is 2026-03-18 22:02 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from citypulse.adapters.engine import detect
from citypulse.adapters.readers import read_tables, unwrap_single_field_records
from citypulse.adapters.registry import all_adapters
from citypulse.settings import Settings
from tests.fixtures.overseas.harness import Landed, by_id, land

MANIFEST = {"observed_at": "2026-11-01T10:00:00+08:00"}
METRICS = ("views", "reach", "likes", "comments", "shares")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(tmp_path_factory.mktemp("meta") / "home").ensure()


def _land(settings: Settings, real_exports: Path, relative: str, account: str) -> Landed:
    platform, name = relative.split("/")
    return land(settings, platform, account, name, real_exports / relative, MANIFEST)


def _post(posts: pl.DataFrame, post_id: str) -> tuple[Any, ...]:
    row = by_id(posts, "post_id", post_id)
    return (row["published_at"], *(row[m] for m in METRICS))


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- Facebook content exports -------------------------------------------------------------------


@pytest.mark.real_exports
def test_facebook_lifetime_english(settings: Settings, real_exports: Path) -> None:
    landed = _land(settings, real_exports, "facebook/westside-mbs-content-lifetime-en.csv", "westside")
    result = landed.result
    assert (result.adapter, result.rows_landed, result.rows_rejected) == ("facebook_business_posts", 13, 0)
    posts = landed.rows("post_observations")
    assert _post(posts, "1366427842195377") == (_utc(2026, 1, 27, 19, 29), 2422, 2267, 13, 0, 0)
    assert _post(posts, "1367445412093620") == (_utc(2026, 1, 28, 21, 39), 2523, 2376, 14, 8, 0)
    photo = by_id(posts, "post_id", "1369862128518615")
    assert (photo["post_type"], photo["views"], photo["reach"], photo["likes"]) == ("Photos", 4226, 2871, 11)
    assert posts["account_id"].unique().to_list() == ["100064845214824"]
    assert landed.rows("post_daily").is_empty()


@pytest.mark.real_exports
def test_facebook_daily_breakdown_lands_per_post_and_day(settings: Settings, real_exports: Path) -> None:
    landed = _land(settings, real_exports, "facebook/westside-mbs-content-daily-en.csv", "westside")
    result = landed.result
    assert (result.adapter, result.rows_landed, result.rows_rejected) == (
        "facebook_business_posts_daily",
        84,
        0,
    )
    assert landed.rows("post_observations").is_empty()  # never 84 lifetime observations
    days = landed.rows("post_daily")
    assert days.height == 84 and days.select("post_id", "date").is_unique().all()
    assert days["post_id"].n_unique() == 12
    assert (days["date"].min(), days["date"].max(), days["date"].n_unique()) == (
        date(2026, 1, 28),
        date(2026, 2, 3),
        7,
    )
    # the export has no Views or Reach: unknown, not 0
    assert days["views"].null_count() == 84 and days["reach"].null_count() == 84
    one_post = days.filter(pl.col("post_id") == "1367445412093620").sort("date")
    first = one_post.row(1, named=True)  # 01/29/2026: the day after it was published
    assert (first["date"], first["likes"], first["comments"], first["shares"]) == (date(2026, 1, 29), 9, 8, 0)
    assert first["watch_time_h"] == 5247.548 / 3600  # Seconds viewed 5247.548
    assert one_post["likes"].to_list() == [0, 9, 1, 1, 0, 1, 0]
    late = days.filter((pl.col("post_id") == "1371688185002676") & (pl.col("date") == date(2026, 2, 3)))
    assert late.select("likes", "comments", "shares", "source_row").row(0) == (17, 0, 0, 8)


@pytest.mark.real_exports
def test_facebook_vietnamese_content_export(settings: Settings, real_exports: Path) -> None:
    landed = _land(
        settings,
        real_exports,
        "facebook/clickstudio-mbs-content-vi-Mar-17-2026_Apr-13-2026.csv",
        "clickstudio",
    )
    result = landed.result
    assert (result.adapter, result.rows_landed, result.rows_rejected) == ("facebook_business_posts_vi", 18, 0)
    posts = landed.rows("post_observations")
    assert _post(posts, "896136306592318") == (_utc(2026, 3, 18, 22, 2), 360, 204, 10, 0, 1)
    video = by_id(posts, "post_id", "896136306592318")
    assert (video["account_id"], video["account_name"], video["post_type"], video["duration_s"]) == (
        "100085878705330",
        "Click Studio",
        "Videos",  # "Video" in the Vietnamese export
        110.0,
    )
    assert _post(posts, "897737486432200") == (_utc(2026, 3, 20, 17, 0), 6049, 2925, 55, 9, 9)
    assert by_id(posts, "post_id", "897737486432200")["post_type"] == "Photos"  # "Ảnh"
    # a post of another page in the same export keeps its own page id
    other = by_id(posts, "post_id", "1399209492006394")
    assert (other["account_id"], other["account_name"]) == ("100057520686184", "DayDreamer")
    assert _post(posts, "1399209492006394") == (_utc(2026, 3, 27, 22, 1), 222412, 206398, 4681, 62, 548)


@pytest.mark.real_exports
def test_facebook_line_wrapped_video_export(settings: Settings, real_exports: Path) -> None:
    landed = _land(
        settings,
        real_exports,
        "facebook/vintage-mbs-video-export-linewrapped-Oct-31-2025_Dec-30-2025.csv",
        "vintage",
    )
    result = landed.result
    assert (result.adapter, result.rows_in, result.rows_landed, result.rows_rejected) == (
        "facebook_business_videos",
        45,
        45,
        0,
    )
    videos = landed.rows("post_observations")
    assert videos["post_id"].n_unique() == 45 and videos["source_row"].to_list() == list(range(2, 47))
    # views = 3-second video views
    assert _post(videos, "4388442338054561") == (_utc(2025, 11, 1, 3, 4), 1488, 2222, 24, 1, 2)
    assert _post(videos, "1143661437958712") == (_utc(2025, 10, 31, 3, 1), 2111, 1196, 95, 3, 9)
    assert _post(videos, "1490052642093526") == (_utc(2025, 12, 30, 1, 56), 13157, 17677, 84, 1, 1)
    first = by_id(videos, "post_id", "4388442338054561")
    assert (first["account_id"], first["account_name"], first["duration_s"]) == (
        "191026444094537",
        "Restaurant Vintage",
        10.0,
    )


# --- Instagram content exports ------------------------------------------------------------------


@pytest.mark.real_exports
def test_instagram_posts_with_collab_accounts(settings: Settings, real_exports: Path) -> None:
    landed = _land(settings, real_exports, "instagram/westside-mbs-ig-posts-en.csv", "westside")
    result = landed.result
    assert (result.adapter, result.rows_landed, result.rows_rejected) == ("instagram_business_posts", 15, 0)
    posts = landed.rows("post_observations")
    assert _post(posts, "18548594548010941") == (_utc(2026, 1, 27, 16, 32), 57496, 41523, 968, 424, 302)
    own = by_id(posts, "post_id", "18548594548010941")
    assert (own["account_id"], own["account_name"], own["saves"], own["followers_gained"]) == (
        "17841401577886844",
        "westsidestores",
        154,
        74,
    )
    # collab posts carry their owner's account, row by row
    collab = by_id(posts, "post_id", "17982084944794619")
    assert (collab["account_id"], collab["account_name"]) == ("17841403870895679", "manyarajesh_")
    assert _post(posts, "17982084944794619") == (_utc(2026, 2, 3, 12, 18), 106978, 73328, 622, 28, 100)
    other = by_id(posts, "post_id", "17910333927441013")
    assert (other["account_id"], other["account_name"]) == ("17841400415974654", "siddharthadayani")
    assert (other["views"], other["reach"], other["followers_gained"], other["saves"]) == (
        154400,
        None,
        None,
        0,
    )
    assert posts["account_id"].n_unique() == 3


@pytest.mark.real_exports
def test_instagram_stories_keep_empty_apart_from_zero(settings: Settings, real_exports: Path) -> None:
    landed = _land(settings, real_exports, "instagram/westside-mbs-ig-stories-en.csv", "westside")
    result = landed.result
    assert (result.adapter, result.rows_landed, result.rows_rejected) == ("instagram_business_posts", 46, 0)
    stories = landed.rows("post_observations")
    assert set(stories["post_type"]) == {"IG story"}
    first = by_id(stories, "post_id", "18166886197395451")
    assert first["published_at"] == _utc(2026, 1, 28, 11, 0)
    assert (first["views"], first["reach"], first["likes"], first["shares"], first["comments"]) == (
        31395,
        26554,
        41,
        0,  # Shares "0"
        None,  # no Comments column in story exports
    )
    assert first["followers_gained"] is None  # Follows empty
    second = by_id(stories, "post_id", "17856865485607753")
    assert (second["views"], second["reach"], second["shares"], second["followers_gained"]) == (
        28164,
        24436,
        5,
        1,
    )
    assert stories["followers_gained"].null_count() == 27


@pytest.mark.real_exports
def test_instagram_vietnamese_content_export(settings: Settings, real_exports: Path) -> None:
    landed = _land(
        settings,
        real_exports,
        "instagram/clickstudio-mbs-ig-content-vi-Mar-17-2026_Apr-14-2026.csv",
        "clickstudio",
    )
    result = landed.result
    assert (result.adapter, result.rows_landed, result.rows_rejected) == (
        "instagram_business_posts_vi",
        15,
        0,
    )
    posts = landed.rows("post_observations")
    assert _post(posts, "18063050099378289") == (_utc(2026, 4, 9, 17, 3), 40699, 28965, 4806, 55, 1070)
    reel = by_id(posts, "post_id", "18063050099378289")
    assert (reel["post_type"], reel["saves"], reel["followers_gained"], reel["account_name"]) == (
        "IG reel",  # "Thước phim Instagram"
        1101,
        61,
        "click_metaverse",
    )
    carousel = by_id(posts, "post_id", "17932654254207541")
    assert carousel["post_type"] == "IG carousel"  # "Thẻ quay vòng trên Instagram"
    assert _post(posts, "17932654254207541") == (_utc(2026, 3, 22, 11, 0), 1, 1, 2, 1, 0)
    assert posts["account_id"].unique().to_list() == ["17841475716003389"]


# --- Insights chart exports (UTF-16) ------------------------------------------------------------


@pytest.mark.real_exports
def test_facebook_views_chart_in_vietnamese(settings: Settings, real_exports: Path) -> None:
    landed = _land(
        settings, real_exports, "facebook/clickstudio-mbs-insights-views-utf16le.csv", "clickstudio"
    )
    assert (landed.result.adapter, landed.ledger()["encoding"]) == ("facebook_page_daily_vi", "utf-16-le")
    assert (landed.result.rows_landed, landed.result.rows_rejected) == (29, 0)
    days = landed.rows("account_daily").sort("date")
    assert set(days["platform"]) == {"facebook"}
    assert days.row(0, named=True)["date"] == date(2026, 3, 17) and days["views"][0] == 3591
    assert days["date"][-1] == date(2026, 4, 14) and days["views"][-1] == 6257
    assert days["followers_gained"].null_count() == 29


@pytest.mark.real_exports
def test_instagram_follows_chart_lands_for_instagram_without_zero_fill(
    settings: Settings, real_exports: Path
) -> None:
    landed = _land(
        settings, real_exports, "instagram/clickstudio-mbs-ig-insights-follows-utf16le.csv", "clickstudio"
    )
    assert (landed.result.adapter, landed.result.platform) == ("instagram_account_daily_vi", "instagram")
    assert (landed.result.rows_landed, landed.result.rows_rejected) == (20, 0)
    days = landed.rows("account_daily").sort("date")
    assert set(days["platform"]) == {"instagram"}
    assert (days["date"][0], days["followers_gained"][0]) == (date(2026, 3, 31), 2)
    assert (days["date"][-1], days["followers_gained"][-1]) == (date(2026, 4, 26), 44)
    # 04-02 … 04-07 are not in the export: they stay absent, not 0
    assert days["date"].to_list()[:3] == [date(2026, 3, 31), date(2026, 4, 1), date(2026, 4, 8)]
    assert days["views"].null_count() == 20


# --- detection by content, unwrapping -----------------------------------------------------------

HEADER = "Post ID,Page ID,Page name,Publish time,Date,Views,Reach,Reactions,Comments,Shares\n"


def _row(post: int, when: str) -> str:
    return f"{post},100,Page,01/28/2026 03:29,{when},10,9,3,2,1\n"


def _detected(text: str, tmp_path: Path) -> tuple[str | None, str]:
    adapters = all_adapters(Settings(tmp_path / "home").ensure())
    tables, _, fmt = read_tables(text.encode("utf-8"))
    detection = detect(tables[0], adapters, fmt)
    return (detection.adapter.name if detection.adapter else None), detection.closest_text


def test_lifetime_and_daily_variants_are_told_apart_by_the_date_column(tmp_path: Path) -> None:
    assert _detected(HEADER + _row(1, "Lifetime"), tmp_path)[0] == "facebook_business_posts"
    assert _detected(HEADER + _row(1, "01/28/2026"), tmp_path)[0] == "facebook_business_posts_daily"
    # neither: the closest adapter is named with what it expects
    name, why = _detected(HEADER + _row(1, "Last 28 days"), tmp_path)
    assert name is None
    assert "closest adapter facebook_business_posts" in why and "expects Date" in why


def test_quarantine_names_the_closest_adapter_when_the_date_matches_neither(settings: Settings) -> None:
    landed = land(
        settings,
        "facebook",
        "unknown_grain",
        "posts.csv",
        (HEADER + _row(1, "Last 28 days")).encode(),
        MANIFEST,
    )
    assert landed.result.status == "quarantined"
    assert landed.result.error is not None
    assert landed.result.error.endswith(
        "no adapter matches its header; closest adapter facebook_business_posts_daily matches the "
        "header, but expects Date = calendar days (MM/DD/YYYY); "
        "facebook_business_posts expects Date = Lifetime / Trọn đời"
    )


def test_a_daily_row_past_the_detection_sample_is_refused_from_a_lifetime_file(settings: Settings) -> None:
    text = HEADER + "".join(_row(i, "Lifetime") for i in range(1, 61)) + _row(61, "02/03/2026")
    landed = land(settings, "facebook", "mixed_grain", "posts.csv", text.encode(), MANIFEST)
    assert (landed.result.adapter, landed.result.rows_landed) == ("facebook_business_posts", 60)
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [62]
    assert "column Date: not Lifetime" in rejects["reason"][0]


def test_unwrapping_only_single_field_records_that_hold_csv(tmp_path: Path) -> None:
    wrapped = '"Post ID,""Page ID"",Title"\n"1,""2"",""a, b"""\n'
    table = read_tables(wrapped.encode())[0][0]
    inner = unwrap_single_field_records(table)
    assert inner is not None
    assert inner.frame.drop("_source_row").rows() == [("Post ID", "Page ID", "Title"), ("1", "2", "a, b")]
    assert inner.frame["_source_row"].to_list() == [1, 2]
    # a genuine one-column file holds no CSV inside its records
    plain = read_tables(b"id\n1\n2\n")[0][0]
    assert unwrap_single_field_records(plain) is None
    # a wrapped table whose header matches no adapter is not unwrapped by detection
    assert _detected('"a,""b"""\n"1,""2"""\n', tmp_path)[0] is None


def test_a_daily_export_of_days_up_to_12_is_read_month_first(settings: Settings) -> None:
    # no day above 12 proves the order: Meta's month-first order decides (and no Seconds viewed)
    header = "Post ID,Page ID,Page name,Publish time,Date,Reactions,Comments,Shares\n"
    text = header + "".join(f"7,100,Page,01/01/2026 03:29,0{m}/01/2026,{m},0,0\n" for m in range(1, 8))
    landed = land(settings, "facebook", "early_days", "posts.csv", text.encode(), MANIFEST)
    assert (landed.result.adapter, landed.result.rows_landed) == ("facebook_business_posts_daily", 7)
    days = landed.rows("post_daily")
    assert days["date"].to_list() == [date(2026, m, 1) for m in range(1, 8)]
    assert days["likes"].to_list() == list(range(1, 8)) and days["watch_time_h"].null_count() == 7
