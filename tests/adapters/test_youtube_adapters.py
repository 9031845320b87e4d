"""YouTube adapters: Studio zip (Table/Chart/Totals), loose Table data, legacy per-video export, Data API.

Every file goes through the real landing engine (raw copy, detection, parsing, rejects, GX, ledger).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from citypulse.adapters.youtube_aggregated_metrics import unswap_spreadsheet_dates
from citypulse.adapters.youtube_data_api import iso_duration_seconds
from citypulse.settings import Settings
from tests.fixtures.overseas.harness import Landed, by_id, fixture, land, zipped

OBSERVED = {"observed_at": "2026-01-03T00:00:00Z"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(tmp_path_factory.mktemp("youtube") / "home").ensure()


def test_day_first_spreadsheet_dates_are_unswapped_only_in_touched_files() -> None:
    touched = pl.DataFrame({"d": ["08-05-2020", "7-16-2020", "12-19-2020", "10-01-2022", None]})
    assert touched.select(unswap_spreadsheet_dates(pl.col("d"))).to_series().to_list() == [
        "2020-05-08",
        "7-16-2020",
        "12-19-2020",
        "2022-01-10",
        None,
    ]
    # a file Studio wrote itself (no zero padding anywhere) is month-first throughout
    clean = pl.DataFrame({"d": ["8-5-2020", "12-11-2020", "7-16-2020"]})
    assert clean.select(unswap_spreadsheet_dates(pl.col("d"))).to_series().to_list() == clean["d"].to_list()


def test_iso_8601_durations_become_seconds_and_others_pass_through() -> None:
    raw = pl.DataFrame({"d": ["PT4M13S", "P1DT2H3M4S", "PT15S", "PT1H", "P0D", "soon", None]})
    assert raw.select(iso_duration_seconds(pl.col("d"))).to_series().to_list() == [
        "253.0",
        "93784.0",
        "15.0",
        "3600.0",
        "0.0",
        "soon",
        None,
    ]


@pytest.fixture(scope="module")
def studio_zip(settings: Settings) -> Landed:
    archive = zipped(
        {
            "Table data.csv": fixture("youtube/table_data.csv").read_bytes(),
            "Chart data.csv": fixture("youtube/chart_data.csv").read_bytes(),
            "Totals.csv": fixture("youtube/totals.csv").read_bytes(),
        }
    )
    return land(
        settings,
        "youtube",
        "visitchengdu",
        "Content 2025-01-01_2025-12-31 Visit Chengdu.zip",
        archive,
        OBSERVED,
    )


def test_studio_zip_lands_every_member_without_quarantine(studio_zip: Landed) -> None:
    members = {m.name.split("!")[-1]: m for m in studio_zip.result.members}
    assert studio_zip.result.status == "landed"
    assert {name: m.status for name, m in members.items()} == {
        "Table data.csv": "landed",
        "Chart data.csv": "landed",
        "Totals.csv": "landed",
    }
    assert members["Table data.csv"].adapter == "youtube_studio_table"
    assert members["Chart data.csv"].adapter == "youtube_studio_chart"
    assert members["Totals.csv"].adapter == "youtube_studio_totals"
    # the chart's per-video days land in post_daily (the video was published long before them)
    assert (members["Chart data.csv"].rows_landed, members["Chart data.csv"].rows_rejected) == (2, 0)


def test_table_data_values_and_traps(studio_zip: Landed) -> None:
    posts = studio_zip.rows("post_observations")
    assert posts["post_id"].to_list() == ["dQw4w9WgXcQ", "-JTnUJTN2aI", "aB3_dEf-GhI"]  # no Total row
    panda = by_id(posts, "post_id", "dQw4w9WgXcQ")
    assert panda["views"] == 10001  # "10,001"
    assert panda["published_at"] == datetime(2023, 6, 27, 7, tzinfo=UTC)  # "Jun 27, 2023" at Pacific midnight
    assert panda["completion_rate"] == pytest.approx(0.625)  # 62.5 (%) → fraction
    assert panda["duration_s"] == 213.0
    assert panda["followers_gained"] == 30  # net "Subscribers" wins over "Subscribers gained"
    assert (panda["likes"], panda["comments"], panda["shares"], panda["impressions"]) == (800, 70, 35, 80000)
    assert panda["post_url"] == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert panda["account_id"] == "visitchengdu" and panda["observed_at"] == datetime(2026, 1, 3, tzinfo=UTC)
    draft = by_id(posts, "post_id", "aB3_dEf-GhI")
    assert draft["published_at"] is None and draft["completion_rate"] is None  # empty stays NULL


def test_table_data_refusals_name_row_column_and_reason(studio_zip: Landed) -> None:
    rejects = studio_zip.rejects()
    table = rejects.filter(pl.col("reason").str.starts_with("youtube_studio_table"))
    assert table["source_row"].to_list() == [2, 6]
    assert "totals row" in table["reason"][0]
    assert table.row(1, named=True)["value"] == "lots"
    assert "row 6, column views: 'lots' is not a number" in table["reason"][1]
    assert rejects.filter(pl.col("reason").str.starts_with("youtube_studio_chart")).is_empty()


def test_chart_data_becomes_post_days(studio_zip: Landed) -> None:
    days = studio_zip.rows("post_daily")
    assert days.select("post_id", "date", "views").rows() == [
        ("dQw4w9WgXcQ", date(2025, 3, 15), 120),
        ("dQw4w9WgXcQ", date(2025, 3, 16), 95),
    ]
    assert days["account_id"].unique().to_list() == ["visitchengdu"]
    assert days["likes"].null_count() == 2  # not charted: unknown, not 0


def test_totals_become_channel_days(studio_zip: Landed) -> None:
    days = studio_zip.rows("account_daily").sort("date")
    assert days["date"].to_list() == [date(2025, 3, 15), date(2025, 3, 16)]
    assert days["views"].to_list() == [120, 95]
    # net "Subscribers" is a signed change, kept apart from the (non-negative) gained/lost counts
    assert days["followers_net"].to_list() == [4, -2]
    assert days["followers_gained"].to_list() == [None, None]
    assert days["account_id"].unique().to_list() == ["visitchengdu"]


def test_manifest_timezone_overrides_pacific(settings: Settings) -> None:
    # CRLF line ends (as Excel saves it) also make the bytes differ from the zip member's: not a duplicate
    crlf = fixture("youtube/table_data.csv").read_bytes().replace(b"\n", b"\r\n")
    landed = land(
        settings,
        "youtube",
        "chengdu_bureau",
        "Table data.csv",
        crlf,
        {**OBSERVED, "timezone": "Asia/Shanghai"},
    )
    assert landed.result.status == "landed"
    panda = by_id(landed.rows("post_observations"), "post_id", "dQw4w9WgXcQ")
    assert panda["published_at"] == datetime(2023, 6, 26, 16, tzinfo=UTC)


def test_data_api_json(settings: Settings) -> None:
    landed = land(settings, "youtube", "api", "videos_2024-06-30.json", fixture("youtube/api_videos.json"))
    assert landed.result.adapter == "youtube_data_api_videos"
    assert landed.ledger()["observed_at_source"] == "filename"
    posts = landed.rows("post_observations")
    first = by_id(posts, "post_id", "Ks-_Mh1QhMc")
    assert first["published_at"] == datetime(2024, 5, 1, 10, 15, 30, tzinfo=UTC)
    assert first["duration_s"] == 253.0  # PT4M13S
    assert (first["views"], first["likes"], first["comments"]) == (123456, 7890, 321)
    assert (first["account_id"], first["account_name"]) == ("UCxyzCityChengdu", "Visit Chengdu")
    hidden = by_id(posts, "post_id", "-aBcDeFgHiJ")
    assert hidden["likes"] is None and hidden["comments"] is None  # absent, not 0
    assert hidden["duration_s"] == 93784.0  # P1DT2H3M4S
    assert hidden["text"] is None
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [3]
    assert "'many' is not a number" in rejects["reason"][0]


@pytest.mark.real_exports
def test_real_studio_table_data_shorts(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "youtube",
        "areikher",
        "Table data.csv",
        real_exports / "youtube/areikher-studio-table-data-shorts.csv",
        {"observed_at": "2025-08-15T00:00:00Z"},
    )
    posts = landed.rows("post_observations")
    assert posts.height == 71 and "Total" not in posts["post_id"].to_list()
    assert posts["post_id"].n_unique() == 71
    assert "-JTnUJTN2aI" in posts["post_id"].to_list()  # written as " -JTnUJTN2aI"
    assert not posts["post_id"].str.starts_with(" ").any()
    lady_gaga = by_id(posts, "post_id", "F3HVs95pagk")
    assert lady_gaga["published_at"] == datetime(2025, 3, 15, 7, tzinfo=UTC)
    assert (lady_gaga["views"], lady_gaga["likes"], lady_gaga["shares"]) == (2775, 144, 2)
    assert (lady_gaga["impressions"], lady_gaga["followers_gained"], lady_gaga["duration_s"]) == (
        728,
        7,
        60.0,
    )
    assert posts["published_at"].null_count() == 3  # three videos have no publish time
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [2] and "Total" in rejects["reason"][0]


@pytest.mark.real_exports
def test_real_legacy_aggregated_metrics(settings: Settings, real_exports: Path) -> None:
    landed = land(
        settings,
        "youtube",
        "kenjee",
        "Aggregated_Metrics_By_Video.csv",
        real_exports / "youtube/kenjee-studio-aggregated-metrics-by-video.csv",
        {"observed_at": "2022-01-20T00:00:00Z"},
    )
    assert landed.result.adapter == "youtube_aggregated_metrics"
    assert landed.ledger()["encoding"] == "utf-8-sig"
    posts = landed.rows("post_observations")
    assert posts.height == 223 and landed.rejects()["source_row"].to_list() == [2]
    top = by_id(posts, "post_id", "4OZip0cgOho")
    assert (top["views"], top["likes"], top["followers_gained"]) == (1253559, 46903, 46453)
    assert top["completion_rate"] == pytest.approx(0.3665)
    # "08-05-2020" is a day-first spreadsheet rendering of 8 May 2020; "7-16-2020" is Studio's own M-D-YYYY
    assert top["published_at"] == datetime(2020, 5, 8, 7, tzinfo=UTC)
    assert by_id(posts, "post_id", "hO_YKK_0Qck")["published_at"] == datetime(2020, 7, 16, 7, tzinfo=UTC)
    # read month-first, "10-01-2022" would be October 2022, months after the January 2022 export
    assert by_id(posts, "post_id", "rEWPqw6rMGI")["published_at"] == datetime(2022, 1, 10, 8, tzinfo=UTC)
    assert posts["published_at"].max() < datetime(2022, 1, 20, tzinfo=UTC)
    assert by_id(posts, "post_id", "78LjdAAw0wA")["followers_gained"] == -3  # a net loss is a real value
