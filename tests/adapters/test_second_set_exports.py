"""The second set of real exports (shared/real-exports, PROVENANCE "Second set"): Douyin, Weibo,
TikTok and YouTube files land through ``land_inbox`` with the values read from the files by hand.

Plus the Weibo topic-detail API response (no real file exists: a hand-written fixture of the
documented shape) and the ``Adapter.also`` mechanism (one table, two entities).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from citypulse.adapters.base import Adapter, col
from citypulse.adapters.registry import all_adapters
from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import place, read_lake, read_zone

pytestmark = pytest.mark.real_exports

FIXTURES = Path(__file__).parents[1] / "fixtures"

# (inbox path, real export, folder manifest)
FILES = {
    "douyin/architect/creator-center-works-architect-2025-09.xlsx": (
        "douyin/creator-center-works-architect-2025-09.xlsx",
        "account_id: architect-dy\naccount_name: 建筑师\nobserved_at: 2025-09-27T10:00:00+08:00\n",
    ),
    "douyin/lantubeihou/extension-export-lantubeihou-videos-20250731.xlsx": (
        "douyin/extension-export-lantubeihou-videos-20250731.xlsx",
        "observed_at: 2025-07-31T12:57:12+08:00\n",
    ),
    "weibo/zhongou/zhongou-banlie-keyword-search-fans-wan.csv": (
        "weibo/zhongou-banlie-keyword-search-fans-wan.csv",
        "observed_at: 2024-06-09T12:00:00+08:00\n",
    ),
    # weibo-crawler names a post file by the user id
    "weibo/zhanjiang/3980043846.csv": (
        "weibo/zhanjiang-gov-weibo-crawler-posts-crlf.csv",
        "account_name: 湛江发布\nobserved_at: 2020-12-28T10:00:00+08:00\n",
    ),
    # the repository's commit dates: the exports carry no year
    "tiktok/bosszy/Overview.xlsx": (
        "tiktok/bosszy-studio-overview.xlsx",
        "observed_at: 2026-04-23T12:00:00Z\n",
    ),
    "tiktok/supnohe/Content.xlsx": (
        "tiktok/supnohe-studio-content-ja-locale.xlsx",
        "observed_at: 2026-08-21T12:00:00Z\n",
    ),
    "tiktok/vintage/TIKTOK_RAW.csv": (
        "tiktok/vintage-tiktok-overview-nan.csv",
        "observed_at: 2026-01-02T12:00:00Z\n",
    ),
    "tiktok/vintage/TIKTOK_VIDEO_RAW.csv": ("tiktok/vintage-tiktok-video-list-bg.csv", None),
    "youtube/timaghost/Table data.csv": (
        "youtube/timaghost-table-data-lifetime-22col.csv",
        "observed_at: 2025-11-14T12:00:00Z\n",
    ),
    "youtube/timaghost/Totals.csv": ("youtube/timaghost-totals-engaged-views-lifetime.csv", None),
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_env(tmp_path_factory.mktemp("second") / "home").ensure()


@pytest.fixture(scope="module")
def landed(home: Settings, real_exports: Path) -> dict:
    for target, (source, manifest) in FILES.items():
        place(home.inbox, real_exports / source, target, manifest=manifest)
    place(
        home.inbox,
        FIXTURES / "weibo" / "topic_detail_2026-11-01.json",
        "weibo/topics/topic_detail_2026-11-01.json",
        manifest="observed_at: 2026-11-01T10:00:00+08:00\n",
    )
    bad = (FIXTURES / "weibo" / "topic_detail_2026-11-01.json").read_text(encoding="utf-8")
    bad = bad.replace('"45.67"', '"45.678912"').replace(
        '"val": "9876", "unit": ""', '"val": "9876", "unit": "千"'
    )
    (home.inbox / "weibo" / "topics" / "topic_detail_2026-11-02.json").write_text(bad, encoding="utf-8")
    result = land_inbox(home, home.inbox)
    return {f["name"]: f for f in result.to_json()["files"]}


def _row(frame: pl.DataFrame, column: str, value: object) -> dict:
    rows = frame.filter(pl.col(column) == value)
    assert rows.height == 1, (column, value, rows.height)
    return rows.row(0, named=True)


def _rejects(home: Settings, landed: dict, name: str) -> pl.DataFrame:
    # the ingest id is the sha256 of the file's bytes
    ingest = hashlib.sha256((home.inbox / name).read_bytes()).hexdigest()
    rejects = read_zone(home.rejects)
    return rejects.filter(pl.col("ingest_id") == ingest).sort("source_row") if rejects.height else rejects


def test_every_file_lands_or_is_quarantined_as_pinned(landed: dict) -> None:
    summary = {
        name: (f["adapter"], f["status"], f["rows_in"], f["rows_landed"], f["rows_rejected"])
        for name, f in landed.items()
    }
    assert summary == {
        "douyin/architect/creator-center-works-architect-2025-09.xlsx": (
            "douyin_creator_works",
            "landed",
            15,
            15,
            0,
        ),
        "douyin/lantubeihou/extension-export-lantubeihou-videos-20250731.xlsx": (
            None,
            "quarantined",
            0,
            0,
            0,
        ),
        "weibo/zhongou/zhongou-banlie-keyword-search-fans-wan.csv": (
            "weibo_keyword_search",
            "landed",
            478,
            478,
            0,
        ),
        "weibo/zhanjiang/3980043846.csv": ("weibo_crawler_posts", "landed", 1749, 1749, 0),
        "tiktok/bosszy/Overview.xlsx": ("tiktok_studio_overview", "landed", 7, 7, 0),
        "tiktok/supnohe/Content.xlsx": ("tiktok_studio_content", "landed", 15, 15, 0),
        "tiktok/vintage/TIKTOK_RAW.csv": ("tiktok_studio_overview", "landed", 62, 62, 0),
        "tiktok/vintage/TIKTOK_VIDEO_RAW.csv": ("tiktok_studio_content", "landed", 51, 51, 0),
        "youtube/timaghost/Table data.csv": ("youtube_studio_table", "landed", 318, 317, 1),
        "youtube/timaghost/Totals.csv": ("youtube_studio_totals_engaged_views", "landed", 6802, 6802, 0),
        "weibo/topics/topic_detail_2026-11-01.json": ("weibo_topic_api", "landed", 1, 1, 0),
        "weibo/topics/topic_detail_2026-11-02.json": ("weibo_topic_api", "landed", 1, 0, 1),
    }


# --- Douyin ---------------------------------------------------------------------------------


def test_douyin_creator_works(landed: dict, home: Settings) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("account_id") == "architect-dy")
    assert posts.height == 15 and posts["post_id"].n_unique() == 15
    first = _row(posts, "source_row", 2)
    title = "AI 到底能否真正提高设计师的效率？ #AI #AI设计 #建筑设计 #建筑设计师 #Concetto"
    # the design contract's surrogate from platform, account_id, published_at UTC and title: the
    # project's key definition (md5 of the parts joined by '|'), prefixed sk_
    parts = "|".join(["douyin", "architect-dy", "2025-09-26T11:30:00Z", title])
    assert first["post_id"] == "sk_" + hashlib.md5(parts.encode()).hexdigest()
    assert first["published_at"] == datetime(2025, 9, 26, 11, 30, tzinfo=UTC)  # 19:30 Beijing
    assert (first["title"], first["post_type"], first["account_name"]) == (title, "1min-视频", "建筑师")
    counts = ("views", "likes", "shares", "comments", "saves", "followers_gained")
    assert tuple(first[c] for c in counts) == (128, 6, 1, 0, 1, 1)
    assert first["completion_rate"] == pytest.approx(0.074074)  # a 0–1 fraction, not a percent
    viral = _row(posts, "source_row", 9)
    assert tuple(viral[c] for c in counts) == (82405, 306, 28, 148, 68, 27)
    assert viral["post_type"] == "1min-视频" and viral["completion_rate"] == pytest.approx(0.350113)
    assert _row(posts, "source_row", 7)["post_type"] == "5min+视频"
    # 自见 (private) works: 播放量 0 beside rates over plays (2s跳出率 0.391304 = 9/23) is not a
    # play count: unknown; their likes and comments are the export's
    private = _row(posts, "source_row", 11)
    assert (private["views"], private["likes"], private["comments"]) == (None, 4, 1)
    assert private["completion_rate"] == pytest.approx(0.333333)
    assert _row(posts, "source_row", 13)["views"] is None
    assert posts["views"].null_count() == 2
    # the embedded-newline title: the first line is the title, the whole cell the text
    assert private["title"] == "最薄弱的，不是结构，而是设计师 你以为设计师只要跟着规范走就够了，"
    assert private["text"].count("\n") == 4 and private["text"].endswith("#设计师日常")


def test_douyin_browser_tool_export_stays_quarantined(landed: dict) -> None:
    result = landed["douyin/lantubeihou/extension-export-lantubeihou-videos-20250731.xlsx"]
    assert result["error"] == (
        "douyin/lantubeihou/extension-export-lantubeihou-videos-20250731.xlsx: no adapter matches its "
        "header; closest adapter douyin_creator_works misses columns: 作品名称, 播放量"
    )


# --- Weibo ----------------------------------------------------------------------------------


def test_weibo_keyword_search_posts(landed: dict, home: Settings) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("post_id").str.starts_with("50"))
    posts = posts.filter(
        pl.col("ingest_id") == posts.filter(pl.col("post_id") == "5043310139540775")["ingest_id"][0]
    )
    assert posts.height == 478 and posts["post_id"].n_unique() == 478
    anhui = _row(posts, "post_id", "5043310139540775")
    assert (anhui["account_id"], anhui["account_name"]) == ("安徽省人民政府网", "安徽省人民政府网")
    assert anhui["published_at"] == datetime(2024, 6, 9, 3, 5, tzinfo=UTC)  # 11:05 Beijing
    assert (anhui["shares"], anhui["comments"], anhui["likes"], anhui["ip_location"]) == (0, 0, 0, "安徽")
    wucheng = _row(posts, "post_id", "5042878382342176")
    assert (wucheng["shares"], wucheng["comments"], wucheng["likes"]) == (128, 129, 115)
    assert wucheng["ip_location"] == "山东"  # no city in the file: the province
    assert _row(posts, "source_row", 139)["ip_location"] == "德国"  # posted from abroad
    assert posts["source_keyword"].null_count() == 478  # the keyword is not in the file
    assert posts["published_at"].min() == datetime(2024, 4, 27, 2, 0, 1, tzinfo=UTC)


def test_weibo_keyword_search_authors_land_their_followers(landed: dict, home: Settings) -> None:
    accounts = read_lake(home, "account_observations").filter(pl.col("platform") == "weibo")
    assert accounts.height == 478  # one per post row, all equal for one author
    anhui = accounts.filter(pl.col("account_id") == "安徽省人民政府网")
    assert anhui.select("followers", "following").unique().rows() == [(353000, 192)]  # 35.3万
    ankang = accounts.filter(pl.col("account_id") == "安康发布").row(0, named=True)
    assert (ankang["followers"], ankang["following"]) == (17000, 143)  # 1.7万
    assert _row(accounts, "source_row", 3)["followers"] == 6986  # a plain integer
    assert accounts["observed_at"].unique().to_list() == [datetime(2024, 6, 9, 4, tzinfo=UTC)]
    assert accounts["followers"].null_count() == 0 and accounts["account_id"].n_unique() == 367


def test_weibo_crawler_crlf_posts(landed: dict, home: Settings) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("account_id") == "3980043846")
    assert posts.height == 1749 and posts["post_id"].n_unique() == 1749
    top = _row(posts, "post_id", "4470189649652426")
    assert (top["likes"], top["comments"], top["shares"]) == (338, 2, 23)
    assert top["published_at"] == datetime(2020, 2, 8, 16, tzinfo=UTC)  # 2020-02-09, Beijing midnight
    last = _row(posts, "source_row", 1749)
    assert (last["post_id"], last["likes"], last["comments"], last["shares"]) == ("4467078704355386", 2, 0, 2)
    assert last["post_url"] == "https://m.weibo.cn/status/Is91sih2a"  # no CR left on the last cell
    assert not posts["text"].str.contains("\r").any()
    assert (posts["published_at"].min(), posts["published_at"].max()) == (
        datetime(2020, 1, 31, 16, tzinfo=UTC),
        datetime(2020, 12, 26, 16, tzinfo=UTC),
    )
    assert posts["account_name"].unique().to_list() == ["湛江发布"]


def test_weibo_topic_api_reads_exact_counts(landed: dict, home: Settings) -> None:
    topics = read_lake(home, "topic_observations")
    assert topics.height == 1
    topic = topics.row(0, named=True)
    assert (topic["topic"], topic["topic_raw"], topic["is_hot_search"]) == (
        "成都大运会",
        "#成都大运会#",
        False,
    )
    # 12.3亿, 45.67万, 1.0508亿, 9876 (no unit): moved decimal points, no float rounding
    assert (topic["reads"], topic["discussions"], topic["interactions"], topic["originals"]) == (
        1_230_000_000,
        456_700,
        105_080_000,
        9876,
    )
    assert topic["observed_at"] == datetime(2026, 11, 1, 2, tzinfo=UTC)
    rejects = _rejects(home, landed, "weibo/topics/topic_detail_2026-11-02.json")
    assert rejects.select("column", "value").rows() == [
        ("data.baseData.sum_all.m", "45.678912万"),
        ("data.baseData.sum_all.ori_m", "9876千"),
    ]
    assert rejects["reason"][0] == (
        "weibo_topic_api: row 1, column data.baseData.sum_all.m: '45.678912万' is not an exact count "
        "(a unit other than 万 or 亿, or more decimals than the unit holds)"
    )


# --- TikTok ---------------------------------------------------------------------------------


def test_tiktok_overview_xlsx_with_text_numbers_and_yearless_days(landed: dict, home: Settings) -> None:
    days = read_lake(home, "account_daily").filter(pl.col("account_id") == "bosszy").sort("date")
    assert days["date"].to_list() == [date(2026, 4, d) for d in range(12, 19)]  # April 12 … 18
    assert days["views"].to_list() == [1591, 1154, 1737, 1082, 561, 310, 1484]
    last = _row(days, "date", date(2026, 4, 18))
    assert (last["profile_views"], last["likes"], last["comments"], last["shares"]) == (13, 22, 1, 0)


def test_tiktok_content_japanese_dates_take_their_year_from_the_video_id(
    landed: dict, home: Settings
) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("account_id") == "supnohe")
    assert posts.height == 15 and posts["account_name"].unique().to_list() == ["supnohe"]
    top = _row(posts, "post_id", "7642304323195571476")
    assert top["published_at"] == datetime(2026, 5, 21, tzinfo=UTC)  # 5月21日
    assert (top["views"], top["likes"], top["comments"], top["shares"]) == (2231717, 101811, 145, 303)
    assert top["title"].endswith("#hiphop")  # trailing space trimmed
    # "5月23日" in an export of 2026-08-21 is 2025's (the id was created 2025-05-23 12:12 UTC),
    # and 11月18日 / 12月12日 are 2024's: the nearest past day would be a year late for all three
    assert _row(posts, "post_id", "7507612866795588882")["published_at"] == datetime(2025, 5, 23, tzinfo=UTC)
    assert _row(posts, "post_id", "7438591894038301970")["published_at"] == datetime(2024, 11, 18, tzinfo=UTC)
    assert _row(posts, "post_id", "7447483487914888455")["published_at"] == datetime(2024, 12, 12, tzinfo=UTC)
    assert _row(posts, "post_id", "7561059307278716167")["published_at"] == datetime(2025, 10, 14, tzinfo=UTC)


def test_tiktok_business_overview_with_nan(landed: dict, home: Settings) -> None:
    days = read_lake(home, "account_daily").filter(pl.col("account_id") == "vintage").sort("date")
    assert days.height == 62
    assert (days["date"].min(), days["date"].max()) == (date(2025, 10, 31), date(2025, 12, 31))
    first = _row(days, "date", date(2025, 10, 31))  # Reached audience is NAN here: no lake column
    assert (first["views"], first["profile_views"], first["likes"], first["shares"], first["comments"]) == (
        715,
        25,
        26,
        4,
        7,
    )
    assert (first["followers_gained"], first["followers_lost"], first["followers_net"]) == (10, 0, 10)
    peak = _row(days, "date", date(2025, 11, 1))
    assert (peak["views"], peak["likes"], peak["shares"], peak["comments"], peak["followers_net"]) == (
        75155,
        845,
        244,
        58,
        100,
    )
    last = _row(days, "date", date(2025, 12, 31))  # the last line has no newline
    assert (last["views"], last["profile_views"], last["likes"], last["followers_gained"]) == (
        38996,
        96,
        652,
        8,
    )


def test_tiktok_video_list_with_full_post_times(landed: dict, home: Settings) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("account_id") == "vintage")
    assert posts.height == 51 and posts["account_name"].unique().to_list() == ["vintagerest.bg"]
    first = _row(posts, "post_id", "7567452112981069079")
    # read as UTC: the id's creation time is 2025-10-31 18:19:06 UTC, four seconds earlier
    assert first["published_at"] == datetime(2025, 10, 31, 18, 19, 10, tzinfo=UTC)
    assert (first["views"], first["likes"], first["comments"], first["shares"], first["saves"]) == (
        172353,
        1774,
        42,
        413,
        180,
    )
    assert first["title"].startswith("Нормален следобед в Плевен")
    new_year = _row(posts, "post_id", "7590060843279060246")
    assert new_year["published_at"] == datetime(2025, 12, 31, 16, 32, 37, tzinfo=UTC)
    assert (new_year["views"], new_year["likes"], new_year["saves"]) == (3382, 135, 6)


# --- YouTube --------------------------------------------------------------------------------


def test_youtube_table_data_views_are_views_not_engaged_views(landed: dict, home: Settings) -> None:
    videos = read_lake(home, "post_observations").filter(pl.col("account_id") == "timaghost")
    assert videos.height == 317
    loop = _row(videos, "post_id", "zvF3ifucdPA")
    assert (loop["views"], loop["likes"], loop["shares"], loop["impressions"]) == (
        2109,
        11,
        1,
        96,
    )  # Engaged 526
    assert loop["completion_rate"] == pytest.approx(0.9063)
    dated = _row(videos, "post_id", "1geIQxkXYGs")
    assert dated["title"] == "March 27, 2021"  # a title that looks like a date stays text
    assert (dated["views"], dated["followers_gained"], dated["duration_s"]) == (534, 2, 394.0)
    assert dated["published_at"] == datetime(2023, 9, 30, 7, tzinfo=UTC)  # Pacific midnight
    assert _row(videos, "post_id", "qZxpoLI6ncw")["title"] == "October 31, 2020"
    rejects = _rejects(home, landed, "youtube/timaghost/Table data.csv")
    assert rejects["reason"].to_list() == [
        "youtube_studio_table: row 2: YouTube Studio totals row (Total), not a video"
    ]


def test_youtube_totals_with_engaged_views_only(landed: dict, home: Settings) -> None:
    days = read_lake(home, "account_daily").filter(pl.col("account_id") == "timaghost").sort("date")
    assert days.height == 6802 and days["date"].n_unique() == 6802
    assert (days["date"].min(), days["date"].max()) == (date(2007, 4, 1), date(2025, 11, 13))
    assert (days["engaged_views"] > 0).sum() == 1080
    assert days["engaged_views"].null_count() == 0  # the leading zero days are the platform's zeros
    assert _row(days, "date", date(2007, 4, 1))["engaged_views"] == 0
    assert _row(days, "date", date(2020, 10, 31))["engaged_views"] == 2
    last = _row(days, "date", date(2025, 11, 13))
    assert (last["engaged_views"], last["views"], last["watch_time_h"]) == (
        33,
        None,
        None,
    )  # Views not ticked


def test_youtube_totals_is_found_by_any_of_its_metrics(home: Settings) -> None:
    text = "Date,Watch time (hours),Subscribers\n2025-11-12,1.5,-2\n2025-11-13,0.25,3\n"
    folder = home.inbox / "youtube" / "watch"
    folder.mkdir(parents=True)
    (folder / "Totals.csv").write_text(text, encoding="utf-8")
    (folder / "_manifest.yaml").write_text("observed_at: 2025-11-14T12:00:00Z\n", encoding="utf-8")
    result = land_inbox(home, home.inbox).to_json()["files"]
    assert [(f["adapter"], f["rows_landed"]) for f in result] == [("youtube_studio_totals_watch_time", 2)]
    days = read_lake(home, "account_daily").filter(pl.col("account_id") == "watch").sort("date")
    assert days.select("watch_time_h", "followers_net", "views").rows() == [(1.5, -2, None), (0.25, 3, None)]


# --- Adapter.also ---------------------------------------------------------------------------


def test_also_adapters_are_named_uniquely_and_never_detected_alone() -> None:
    adapters = {a.name: a for a in all_adapters()}
    assert "weibo_keyword_search_authors" not in adapters
    (authors,) = adapters["weibo_keyword_search"].also
    assert (authors.name, authors.entity, authors.platform) == (
        "weibo_keyword_search_authors",
        "account_observations",
        "weibo",
    )
    with pytest.raises(ValueError, match="cannot have `also` adapters of its own"):
        Adapter(
            "x",
            "weibo",
            "post_observations",
            ("a",),
            (col("post_id", "a"),),
            also=(adapters["weibo_keyword_search"],),
        )


def test_a_row_refused_by_an_also_adapter_only_is_counted_and_named(
    home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the post lands; its author's 粉丝数 is unreadable: refused in account_observations alone
    header = "页码,微博id,微博作者,发布时间,微博内容,转发数,评论数,点赞数,关注数,粉丝数\n"
    rows = "1,5043310139540775,安徽省人民政府网,2024-06-09 11:05:00,正文,0,0,0,192,35.3万\n"
    rows += "1,5042878382342176,爱武城,2024-06-08 06:29:20,正文,128,129,115,440,很多\n"
    settings = Settings.from_env(tmp_path / "also").ensure()
    folder = settings.inbox / "weibo" / "crawl"
    folder.mkdir(parents=True)
    (folder / "search.csv").write_text(header + rows, encoding="utf-8")
    (folder / "_manifest.yaml").write_text("observed_at: 2024-06-09T12:00:00+08:00\n", encoding="utf-8")
    result = land_inbox(settings, settings.inbox).to_json()["files"][0]
    # counts are source rows: the row landed (as a post), so it is not also counted as refused;
    # its author's refused cell is in the rejects
    assert (result["adapter"], result["rows_in"], result["rows_landed"], result["rows_rejected"]) == (
        "weibo_keyword_search",
        2,
        2,
        0,
    )
    assert read_lake(settings, "post_observations").height == 2
    assert read_lake(settings, "account_observations")["followers"].to_list() == [353000]
    reject = read_zone(settings.rejects).row(0, named=True)
    assert reject["reason"] == "weibo_keyword_search_authors: row 3, column 粉丝数: '很多' is not a number"
