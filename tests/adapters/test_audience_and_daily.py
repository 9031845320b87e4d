"""post_daily and audience_breakdown from real exports: YouTube Studio Chart data, Viewer age and
Cities tables, and Meta's stacked-section Audience export (Windows-1251, dates made of numbers).

Every file goes through the real landing engine; values are pinned per file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from citypulse.adapters.readers import read_tables
from citypulse.landing.manifest import ManifestError, read_manifest
from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.fixtures.overseas.harness import Landed, land

pytestmark = pytest.mark.real_exports

OBSERVED = {"observed_at": "2026-07-01T00:00:00Z"}
AUDIENCE_FILE = "facebook/vintage-mbs-audience-multisection-cp1251.csv"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(tmp_path_factory.mktemp("audience") / "home").ensure()


def _cell(frame: pl.DataFrame, **where: object) -> dict[str, object]:
    rows = frame.filter(*[pl.col(k) == v for k, v in where.items()])
    assert rows.height == 1, f"expected one row with {where}, found {rows.height}"
    return rows.row(0, named=True)


# --- YouTube Studio Chart data.csv → post_daily -------------------------------------------------


@pytest.fixture(scope="module")
def chart(settings: Settings, real_exports: Path) -> Landed:
    return land(
        settings,
        "youtube",
        "priyanka",
        "Chart data.csv",
        real_exports / "youtube/priyanka-shorts-chart-data-views.csv",
        OBSERVED,
    )


def test_chart_data_lands_each_video_day(chart: Landed) -> None:
    result = chart.result
    assert (result.adapter, result.rows_in, result.rows_landed, result.rows_rejected) == (
        "youtube_studio_chart",
        1825,
        1386,
        439,
    )
    days = chart.rows("post_daily")
    assert days["post_id"].n_unique() == 5
    assert set(days["platform"]) == {"youtube"} and set(days["account_id"]) == {"priyanka"}
    # published Sep 29, 2025: its first day, and a later one
    assert _cell(days, post_id="2imBUt8eZaI", date=date(2025, 9, 29))["views"] == 1260
    assert _cell(days, post_id="2imBUt8eZaI", date=date(2025, 9, 30))["views"] == 580
    assert _cell(days, post_id="mx7T928-TGs", date=date(2026, 5, 24))["source_row"] == 1807
    # the day before the publish date with real views lands (not one of Studio's zeros)
    assert _cell(days, post_id="2imBUt8eZaI", date=date(2025, 9, 28))["views"] == 1380
    assert _cell(days, post_id="UWQNrpakgcA", date=date(2025, 8, 27))["views"] == 334
    # after publication a 0 is a real day without views
    assert days.filter(pl.col("views") == 0).height == 1232
    assert days["likes"].null_count() == days.height  # only Views was charted


def test_chart_data_days_before_publication_are_refused_with_reason(chart: Landed) -> None:
    rejects = chart.rejects()
    assert rejects.height == 439 and rejects["source_row"].n_unique() == 439
    first = rejects.row(0, named=True)
    assert (first["source_row"], first["column"], first["value"]) == (2, "Date", "2025-06-13")
    assert "row 2, column Date: '2025-06-13' is before the video's publish date" in first["reason"]
    assert rejects["reason"].str.contains("before the video's publish date").all()
    # 2imBUt8eZaI (Sep 29) from 2025-06-13 to 2025-09-27: 107 days; row 109 (Sep 28, 1380 views) lands
    assert rejects.filter(pl.col("source_row") <= 366)["source_row"].to_list() == list(range(2, 109))


# --- YouTube Studio Viewer age / Cities → audience_breakdown -------------------------------------


@pytest.fixture(scope="module")
def viewer_age(settings: Settings, real_exports: Path) -> Landed:
    manifest = {**OBSERVED, "period_start": "2025-01-01", "period_end": "2025-12-31"}
    return land(
        settings,
        "youtube",
        "dangertv",
        "Viewer age.csv",
        real_exports / "youtube/dangertv-viewer-age.csv",
        manifest,
    )


def test_viewer_age_shares_and_metrics(viewer_age: Landed) -> None:
    result = viewer_age.result
    assert (result.adapter, result.rows_in, result.rows_landed, result.rows_rejected) == (
        "youtube_studio_viewer_age",
        7,
        7,
        0,
    )
    rows = viewer_age.rows("audience_breakdown")
    assert set(rows["dimension"]) == {"age"} and set(rows["account_id"]) == {"dangertv"}
    assert rows["bucket"].unique(maintain_order=True).to_list() == [
        "13–17 years",  # EN DASH kept as Studio writes it
        "18–24 years",
        "25–34 years",
        "35–44 years",
        "45–54 years",
        "55–64 years",
        "65+ years",
    ]
    views = rows.filter(pl.col("metric") == "views")
    assert views["share"].to_list() == pytest.approx([0.0061, 0.1081, 0.2229, 0.1853, 0.1471, 0.1519, 0.1786])
    assert views["value"].null_count() == 7  # Studio gave only the percentage
    youngest = rows.filter(pl.col("bucket") == "13–17 years")
    assert youngest.select("metric", "value", "share").rows() == [
        ("views", None, pytest.approx(0.0061)),
        ("watch_time_h", None, pytest.approx(0.0026)),
        ("average_view_duration_s", 280.0, None),  # 0:04:40
        ("average_fraction_viewed", pytest.approx(0.3843), None),
    ]
    assert set(youngest["source_row"]) == {2}
    # the folder manifest states the period the export does not
    assert set(rows["period_start"]) == {date(2025, 1, 1)} and set(rows["period_end"]) == {date(2025, 12, 31)}


@pytest.fixture(scope="module")
def cities(settings: Settings, real_exports: Path) -> Landed:
    return land(
        settings,
        "youtube",
        "dangertv",
        "Cities.csv",
        real_exports / "youtube/dangertv-viewer-cities.csv",
        OBSERVED,
    )


def test_cities_land_by_city_name_and_the_footer_is_refused(cities: Landed) -> None:
    result = cities.result
    assert (result.adapter, result.rows_in, result.rows_landed, result.rows_rejected) == (
        "youtube_studio_cities",
        501,
        500,
        1,
    )
    assert cities.ledger()["encoding"] == "utf-8"  # "Zürich", "São Paulo" are UTF-8, not GBK
    rows = cities.rows("audience_breakdown")
    assert set(rows["dimension"]) == {"city"}
    # the first city: its Google Maps id (0x89c24fa5d33f083b:0xc80b8f06e177fe62) is not landed
    first = rows.filter(pl.col("source_row") == 2)
    assert first.select("bucket", "metric", "value").rows() == [
        ("New York, NY, USA", "views", 2015694.0),
        ("New York, NY, USA", "watch_time_h", pytest.approx(387296.1399)),
        ("New York, NY, USA", "average_view_duration_s", 691.0),  # 0:11:31
    ]
    assert not rows["bucket"].str.starts_with("0x").any()
    assert "São Paulo, State of São Paulo, Brazil" in rows["bucket"].to_list()
    assert rows["period_start"].null_count() == rows.height  # no manifest period: unknown
    rejects = cities.rejects()
    assert rejects.select("source_row", "reason").rows() == [
        (502, "youtube_studio_cities: row 502: Studio's table footer ('Showing top N results'), not data")
    ]


# --- Meta Business Suite Audience export, stacked sections ----------------------------------------


@pytest.fixture(scope="module")
def audience(settings: Settings, real_exports: Path) -> Landed:
    return land(settings, "facebook", "vintage", "Audience.csv", real_exports / AUDIENCE_FILE, OBSERVED)


def test_audience_sections_are_split_and_each_lands(audience: Landed, real_exports: Path) -> None:
    tables, encoding, _ = read_tables((real_exports / AUDIENCE_FILE).read_bytes())
    assert encoding == "windows-1251"
    assert [t.label for t in tables] == [
        "Age & gender",
        "Top towns/cities",
        "Top countries",
        "Follows",
        "Top Pages",
    ]
    result = audience.result
    assert result.adapter == (
        "facebook_audience_age_gender,facebook_audience_cities,facebook_audience_countries,"
        "facebook_audience_top_pages,facebook_page_daily"
    )
    # source rows: a row that landed some cells counts as landed, its refused cells are rejects
    assert (result.rows_in, result.rows_landed, result.rows_rejected) == (74, 65, 9)
    names_rows = audience.rejects().filter(pl.col("reason").str.contains("names of the section's buckets"))
    assert names_rows["source_row"].to_list() == [11, 15]
    assert "Pleven, Bulgaria; Sofia, Bulgaria" in names_rows["record"][0]
    rows = audience.rows("audience_breakdown")
    assert rows.group_by("dimension").len().sort("dimension").rows() == [
        ("age_gender", 1),
        ("city", 9),
        ("country", 10),
    ]
    assert set(rows["metric"]) == {"audience"} and rows["value"].null_count() == rows.height


def test_audience_plain_numbers_land_as_shares(audience: Landed) -> None:
    rows = audience.rows("audience_breakdown")
    # 45-54: Women "15" is a plain number; Men "6.май" was turned into a date and is refused
    assert rows.filter(pl.col("dimension") == "age_gender").select(
        "bucket", "share", "source_row"
    ).rows() == [("Women 45-54", pytest.approx(0.15), 6)]
    cities = rows.filter(pl.col("dimension") == "city")
    assert _cell(cities, bucket="Pleven, Bulgaria")["share"] == pytest.approx(0.743)
    assert _cell(cities, bucket="Obnova, Bulgaria")["share"] == pytest.approx(0.004)
    assert "Sofia, Bulgaria" not in cities["bucket"].to_list()  # its "4.яну" is refused
    countries = rows.filter(pl.col("dimension") == "country")
    assert _cell(countries, bucket="Bulgaria")["share"] == pytest.approx(0.984)
    assert _cell(countries, bucket="Romania")["share"] == pytest.approx(0.001)
    assert set(countries["source_row"]) == {16}  # the values row under the names


def test_audience_numbers_turned_into_dates_are_refused_per_cell(audience: Landed) -> None:
    rejects = audience.rejects()
    mangled = rejects.filter(pl.col("reason").str.contains("spreadsheet turned into a date"))
    assert mangled.select("source_row", "column", "value").rows() == [
        (3, "Women", "3.апр"),
        (3, "Men", "1.юни"),
        (4, "Women", "17.юни"),
        (4, "Men", "8.яну"),
        (5, "Women", "20.юни"),
        (5, "Men", "9.авг"),
        (6, "Men", "6.май"),
        (7, "Women", "8.сеп"),
        (7, "Men", "2.юни"),
        (8, "Women", "4.яну"),
        (8, "Men", "1.авг"),
        (12, "Top towns/cities", "4.яну"),
    ]
    assert mangled["reason"][0] == (
        "facebook_audience_age_gender: row 3, column Women: '3.апр' is a number a spreadsheet turned "
        "into a date (its decimal part became a month); the value cannot be read exactly"
    )
    assert '"_bucket":"Sofia, Bulgaria"' in mangled.filter(pl.col("source_row") == 12)["record"][0]
    pages = rejects.filter(pl.col("reason").str.starts_with("facebook_audience_top_pages"))
    assert pages["source_row"].to_list() == [84, 85]
    assert pages["reason"].str.contains("no audience_breakdown dimension").all()
    assert rejects.height == 16  # 12 damaged cells, 2 Top Pages rows, 2 bucket-name rows


def test_audience_follows_section_still_lands_as_account_days(audience: Landed) -> None:
    days = audience.rows("account_daily").sort("date")
    assert days.height == 62
    assert days["date"].to_list()[:3] == [date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 2)]
    assert days["followers_gained"].to_list()[:3] == [4, 2, 3]
    # from Nov 3 the timestamps read T01:00:00: still the same reporting day
    assert _cell(days, date=date(2025, 11, 3))["followers_gained"] == 0
    assert _cell(days, date=date(2025, 12, 14))["followers_gained"] == 68
    assert days["source_row"].to_list() == list(range(20, 82))


# --- manifest period keys, and GX over the new entities --------------------------------------------


def test_manifest_period_keys_are_iso_dates(tmp_path: Path) -> None:
    path = tmp_path / "_manifest.yaml"
    path.write_text("period_start: 2025-03-01\nperiod_end: '2025-03-31'\n", encoding="utf-8")
    manifest = read_manifest(path)
    assert (manifest.period_start, manifest.period_end) == (date(2025, 3, 1), date(2025, 3, 31))
    path.write_text("period_start: March 2025\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="period_start 'March 2025' is not an ISO date"):
        read_manifest(path)
    path.write_text("period_start: 2025-04-01\nperiod_end: 2025-03-31\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="is after period_end"):
        read_manifest(path)


def test_gx_suites_of_the_new_entities_pass_on_real_exports(tmp_path: Path, real_exports: Path) -> None:
    settings = Settings(tmp_path / "home").ensure()
    files = {
        "youtube/priyanka/Chart data.csv": "youtube/priyanka-shorts-chart-data-views.csv",
        "youtube/dangertv/Viewer age.csv": "youtube/dangertv-viewer-age.csv",
        "youtube/dangertv/Cities.csv": "youtube/dangertv-viewer-cities.csv",
        "facebook/vintage/Audience.csv": AUDIENCE_FILE,
    }
    for target, source in files.items():
        path = settings.inbox / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((real_exports / source).read_bytes())
        (path.parent / "_manifest.yaml").write_text("observed_at: 2026-07-01T00:00:00Z\n", encoding="utf-8")
    result = land_inbox(settings, settings.inbox)
    assert result.quality is not None
    quality = result.quality.filter(pl.col("suite").is_in(["lake_post_daily", "lake_audience_breakdown"]))
    assert set(quality["suite"]) == {"lake_post_daily", "lake_audience_breakdown"}
    failed = quality.filter(pl.col("status") != "pass")
    assert failed.is_empty(), failed.select("suite", "check_name", "status", "details").rows()
