"""The whole ``../shared/real-exports`` folder landed in one run, as a new user would drop it.

Every file's outcome is stated here: the adapter(s) that landed it, its rows read, landed and
refused, and per lake entity the rows written with a checksum (the sum of every count column;
for audience rows also the sums of ``value`` and ``share``); or, for a file out of scope, the
quarantine reason naming the closest adapter. A file added to the folder without a line here
fails the test, so this table stays the list of what the product reads. Each file's specific
values are pinned in the adapter tests (tests/adapters/); three checksums are recomputed here
from the source files with DuckDB's CSV reader, independently of the landing code.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest

from citypulse.lake import ledger
from citypulse.lake.schema import ENTITIES
from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import place

pytestmark = pytest.mark.real_exports

MANIFEST = "observed_at: 2026-11-01T10:00:00+08:00\n"
QUARANTINED = "quarantined"

# file → (adapter(s), rows_in, rows_landed, rows_rejected, {entity: (lake rows, checksum…)})
LANDED: dict[str, tuple[str, int, int, int, dict[str, tuple]]] = {
    "douyin/creator-center-works-architect-2025-09.xlsx": ("douyin_creator_works", 15, 15, 0, {"post_observations": (15, 99551)}),
    "douyin/news-keyword-search-crawl.csv": ("douyin_keyword_search", 499, 499, 0, {"post_observations": (499, 78673873)}),
    "facebook/clickstudio-mbs-content-vi-Mar-17-2026_Apr-13-2026.csv": ("facebook_business_posts_vi", 18, 18, 0, {"post_observations": (18, 470141)}),
    "facebook/clickstudio-mbs-insights-views-utf16le.csv": ("facebook_page_daily_vi", 29, 29, 0, {"account_daily": (29, 61459)}),
    "facebook/kth-vic-insights-page-level-2014-01-01_2014-02-27.csv": ("facebook_insights_page", 59, 58, 1, {"account_daily": (58, 3780)}),
    "facebook/kth-vic-insights-post-level-2014-08-24_2015-02-19.csv": ("facebook_insights_posts", 99, 98, 1, {"post_observations": (98, 353089)}),
    "facebook/vintage-mbs-audience-multisection-cp1251.csv": (
        "facebook_audience_age_gender,facebook_audience_cities,facebook_audience_countries,"
        "facebook_audience_top_pages,facebook_page_daily",
        74, 65, 9,
        {"account_daily": (62, 401), "audience_breakdown": (20, 0, 0.0, 1.969)},
    ),
    "facebook/vintage-mbs-video-export-linewrapped-Oct-31-2025_Dec-30-2025.csv": ("facebook_business_videos", 45, 45, 0, {"post_observations": (45, 611611)}),
    "facebook/westside-mbs-content-daily-en.csv": ("facebook_business_posts_daily", 84, 84, 0, {"post_daily": (84, 164)}),
    "facebook/westside-mbs-content-lifetime-en.csv": ("facebook_business_posts", 13, 13, 0, {"post_observations": (13, 63837)}),
    "instagram/clickstudio-mbs-ig-content-vi-Mar-17-2026_Apr-14-2026.csv": ("instagram_business_posts_vi", 15, 15, 0, {"post_observations": (15, 156893)}),
    "instagram/clickstudio-mbs-ig-insights-follows-utf16le.csv": ("instagram_account_daily_vi", 20, 20, 0, {"account_daily": (20, 308)}),
    "instagram/westside-mbs-ig-posts-en.csv": ("instagram_business_posts", 15, 15, 0, {"post_observations": (15, 4458581)}),
    "instagram/westside-mbs-ig-stories-en.csv": ("instagram_business_posts", 46, 46, 0, {"post_observations": (46, 1977239)}),
    "tiktok/bosszy-studio-overview.xlsx": ("tiktok_studio_overview", 7, 7, 0, {"account_daily": (7, 8010)}),
    "tiktok/franco-studio-overview-es.csv": ("tiktok_studio_overview", 7, 7, 0, {"account_daily": (7, 9)}),
    "tiktok/haileytupy-studio-content.csv": ("tiktok_studio_content", 13, 13, 0, {"post_observations": (13, 541616)}),
    "tiktok/haileytupy-studio-follower-history.csv": ("tiktok_studio_followers", 365, 365, 0, {"account_daily": (365, 1352164)}),
    "tiktok/haileytupy-studio-overview.csv": ("tiktok_studio_overview", 365, 365, 0, {"account_daily": (365, 2985106)}),
    "tiktok/supnohe-studio-content-ja-locale.xlsx": ("tiktok_studio_content", 15, 15, 0, {"post_observations": (15, 5599740)}),
    "tiktok/vintage-tiktok-overview-nan.csv": ("tiktok_studio_overview", 62, 62, 0, {"account_daily": (62, 534739)}),
    "tiktok/vintage-tiktok-video-list-bg.csv": ("tiktok_studio_content", 51, 51, 0, {"post_observations": (51, 549109)}),
    "weibo/dilireba-official-weibo-crawler-posts-2019.csv": ("weibo_crawler_posts", 1928, 530, 1398, {"post_observations": (530, 461693735)}),
    "weibo/peoplesdaily-weibo-crawler-posts.csv": ("weibo_crawler_posts", 1498, 1498, 0, {"post_observations": (1498, 50462088)}),
    "weibo/peoplesdaily-weibo-crawler-users.csv": ("weibo_crawler_users", 1, 1, 0, {"account_observations": (1, 117084247)}),
    "weibo/zhanjiang-gov-weibo-crawler-posts-crlf.csv": ("weibo_crawler_posts", 1749, 1749, 0, {"post_observations": (1749, 3271)}),
    "weibo/zhongou-banlie-keyword-search-fans-wan.csv": (
        "weibo_keyword_search", 478, 478, 0,
        {"post_observations": (478, 10314), "account_observations": (478, 853575623)},
    ),
    "x/lisadebruine-daily-tweet-activity-metrics-2021-08.csv": ("x_daily_activity", 31, 31, 0, {"account_daily": (31, 1646349)}),
    "x/ropensci-tweet-activity-metrics-2019-01.csv": ("x_tweet_activity", 31, 31, 0, {"post_observations": (31, 399363)}),
    "x/wormholebr-account-analytics-content-2024-11-21_2025-02-19.csv": ("x_account_content", 141, 141, 0, {"post_observations": (141, 19167)}),
    "x/wormholebr-account-overview-analytics.csv": ("x_account_overview", 50, 50, 0, {"account_daily": (50, 10489)}),
    "youtube/areikher-studio-table-data-shorts.csv": ("youtube_studio_table", 72, 71, 1, {"post_observations": (71, 84624)}),
    "youtube/dangertv-viewer-age.csv": ("youtube_studio_viewer_age", 7, 7, 0, {"audience_breakdown": (28, 0, 4193.2068, 2.0)}),
    "youtube/dangertv-viewer-cities.csv": ("youtube_studio_cities", 501, 500, 1, {"audience_breakdown": (1500, 0, 30020602.8479, 0.0)}),
    "youtube/kenjee-studio-aggregated-metrics-by-video.csv": ("youtube_aggregated_metrics", 224, 223, 1, {"post_observations": (223, 106924783)}),
    "youtube/priyanka-shorts-chart-data-views.csv": ("youtube_studio_chart", 1825, 1386, 439, {"post_daily": (1386, 48473)}),
    "youtube/priyanka-shorts-totals-views-ddmmyyyy.csv": ("youtube_studio_totals", 365, 365, 0, {"account_daily": (365, 181588)}),
    "youtube/timaghost-table-data-lifetime-22col.csv": ("youtube_studio_table", 318, 317, 1, {"post_observations": (317, 884492)}),
    "youtube/timaghost-totals-engaged-views-lifetime.csv": ("youtube_studio_totals_engaged_views", 6802, 6802, 0, {"account_daily": (6802, 26367)}),
}  # fmt: skip

# out of scope, with the reason the ledger gives
REFUSED = {
    # a third-party browser tool's copy of someone else's public video list: no play counts
    "douyin/extension-export-lantubeihou-videos-20250731.xlsx": (
        "no adapter matches its header; closest adapter douyin_creator_works misses columns: 作品名称, 播放量"
    ),
}


@pytest.fixture(scope="module")
def landed(tmp_path_factory: pytest.TempPathFactory, real_exports: Path) -> tuple[Settings, pl.DataFrame]:
    root = tmp_path_factory.mktemp("real-exports-folder")
    inbox = root / "inbox"
    for source in sorted(p for p in real_exports.rglob("*") if p.suffix in (".csv", ".xlsx")):
        place(inbox, source, f"{source.parent.name}/{source.stem}/{source.name}", manifest=MANIFEST)
    settings = Settings.from_env(root / "home").ensure()
    land_inbox(settings, inbox)
    entries = ledger.read_ledger(settings).with_columns(
        file=pl.col("original_name").str.replace(r"^([^/]+)/[^/]+/", "$1/")
    )
    return settings, entries


def _lake_checksums(settings: Settings, ingest_id: str) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    for entity, schema in ENTITIES.items():
        files = sorted((settings.lake / entity).glob(f"platform=*/{ingest_id}.parquet"))
        if not files:
            continue
        frame = pl.concat([pl.read_parquet(f) for f in files])
        counts = [c for c, t in schema.items() if t == pl.Int64]
        total = sum(frame[c].fill_null(0).sum() for c in counts)
        if entity == "audience_breakdown":
            found[entity] = (
                frame.height,
                total,
                round(frame["value"].sum(), 4),
                round(frame["share"].sum(), 4),
            )
        else:
            found[entity] = (frame.height, total)
    return found


def test_every_file_in_the_folder_has_a_stated_outcome(real_exports: Path) -> None:
    files = {f"{p.parent.name}/{p.name}" for p in real_exports.rglob("*") if p.suffix in (".csv", ".xlsx")}
    assert files == set(LANDED) | set(REFUSED), "a file of ../shared/real-exports has no line here"


def test_the_folder_lands_in_one_run(landed: tuple[Settings, pl.DataFrame]) -> None:
    settings, entries = landed
    got = {}
    for row in entries.iter_rows(named=True):
        if row["status"] == QUARANTINED:
            got[row["file"]] = row["error"]
            continue
        assert row["status"] == "landed", row
        got[row["file"]] = (
            row["adapter"],
            row["rows_in"],
            row["rows_landed"],
            row["rows_rejected"],
            _lake_checksums(settings, row["ingest_id"]),
        )
    for name, expected in LANDED.items():
        assert got[name] == expected, name
    for name, reason in REFUSED.items():
        assert isinstance(got[name], str) and got[name].endswith(reason), got[name]
        assert (settings.quarantine / entries.filter(pl.col("file") == name)["ingest_id"][0]).is_dir()


def _sum(sql: str) -> int:
    return int(duckdb.sql(sql).fetchall()[0][0])


def test_three_checksums_agree_with_duckdb_reading_the_source(real_exports: Path) -> None:
    """The checksums above are not just what the code produced once: DuckDB reads the same
    numbers out of the source files (the lake's day/month order, 万 and CRLF handling aside)."""
    totals = real_exports / "youtube" / "priyanka-shorts-totals-views-ddmmyyyy.csv"
    assert _sum(f"select sum(Views) from read_csv('{totals}', header=true)") == 181588
    weibo = real_exports / "weibo" / "zhongou-banlie-keyword-search-fans-wan.csv"
    assert (
        _sum(f"select sum(转发数 + 评论数 + 点赞数) from read_csv('{weibo}', header=true, all_varchar=false)")
        == LANDED["weibo/zhongou-banlie-keyword-search-fans-wan.csv"][4]["post_observations"][1]
    )
    zhanjiang = real_exports / "weibo" / "zhanjiang-gov-weibo-crawler-posts-crlf.csv"
    assert _sum(f"select sum(点赞数 + 评论数 + 转发数) from read_csv('{zhanjiang}', header=true)") == 3271
