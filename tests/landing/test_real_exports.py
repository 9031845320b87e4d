"""Every Weibo and Douyin file in ../shared/real-exports lands, with specific values checked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import place, read_lake, read_zone

pytestmark = pytest.mark.real_exports


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """One data home for the module: landing the real files once keeps the suite fast."""
    return Settings.from_env(tmp_path_factory.mktemp("real") / "home").ensure()


@pytest.fixture(scope="module")
def landed(home: Settings, real_exports: Path) -> dict:
    inbox = home.inbox
    weibo = real_exports / "weibo"
    # weibo-crawler names post files <user_id>.csv; the account comes from that name
    place(inbox, weibo / "peoplesdaily-weibo-crawler-posts.csv", "weibo/renmin/2803301701.csv")
    place(inbox, weibo / "peoplesdaily-weibo-crawler-users.csv", "weibo/renmin/users.csv")
    place(
        inbox,
        weibo / "dilireba-official-weibo-crawler-posts-2019.csv",
        "weibo/dilireba/1669879400.csv",
        manifest="account_name: Dear-迪丽热巴\nobserved_at: 2019-08-29T10:00:00+08:00\n",
    )
    place(
        inbox,
        real_exports / "douyin" / "news-keyword-search-crawl.csv",
        "douyin/keyword-crawl/results_20250630_143111.csv",
    )
    result = land_inbox(home, inbox)
    return {f["name"]: f for f in result.to_json()["files"]} | {"_exit": result.exit_code}


def test_every_file_lands(landed: dict) -> None:
    assert landed.pop("_exit") == 0
    summary = {
        name: (f["adapter"], f["status"], f["rows_in"], f["rows_landed"], f["rows_rejected"])
        for name, f in landed.items()
    }
    assert summary == {
        "weibo/renmin/2803301701.csv": ("weibo_crawler_posts", "landed", 1498, 1498, 0),
        "weibo/renmin/users.csv": ("weibo_crawler_users", "landed", 1, 1, 0),
        # 249 twelve-cell rows + 1 666 fourteen-cell rows; 7 + 6 repeated header rows refused, and
        # every earlier appearance of a post that the appending crawler wrote again later (1 385)
        "weibo/dilireba/1669879400.csv": ("weibo_crawler_posts", "landed", 1928, 530, 1398),
        "douyin/keyword-crawl/results_20250630_143111.csv": ("douyin_keyword_search", "landed", 499, 499, 0),
    }


def test_peoples_daily_posts(landed: dict, home: Settings) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("account_id") == "2803301701")
    assert posts.height == 1498 and posts["post_id"].n_unique() == 1498
    first = posts.filter(pl.col("post_id") == "4505527885177576").row(0, named=True)
    assert (first["likes"], first["comments"], first["shares"]) == (1469, 323, 361)
    # 日期 is a date only: local midnight in Beijing = 16:00 UTC the day before
    assert first["published_at"] == datetime(2020, 5, 16, 16, tzinfo=UTC)
    assert first["post_url"] == "https://m.weibo.cn/status/J2jNWlIVi"
    assert first["text"].startswith("【你见过#珠穆朗玛的夜空#吗？】")  # hashtags stay in text
    assert first["source_row"] == 2 and first["platform"] == "weibo"
    assert posts["published_at"].min() == datetime(2020, 4, 14, 16, tzinfo=UTC)


def test_peoples_daily_user(landed: dict, home: Settings) -> None:
    accounts = read_lake(home, "account_observations")
    assert accounts.select(
        "account_id",
        "account_name",
        "verified",
        "verified_type",
        "followers",
        "following",
        "posts_count",
        "location",
    ).row(0) == ("2803301701", "人民日报", True, "3", 116963919, 3051, 117277, "北京")
    assert accounts["likes_total"].to_list() == [None]  # not in the export: unknown, not 0


def test_dilireba_appended_file(landed: dict, home: Settings) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("account_id") == "1669879400")
    assert posts.height == 530  # one row per post: the newest of its appended appearances
    # the 14-cell rows are shifted back into place: 530 distinct posts (PROVENANCE's 531 counts the
    # "id" cell of that writer's own header rows, refused here)
    assert posts["post_id"].n_unique() == 530
    shifted = posts.filter(pl.col("source_row") == 1923).row(0, named=True)
    assert (shifted["post_id"], shifted["likes"], shifted["comments"], shifted["shares"]) == (
        "4410340013663515",
        270596,
        467160,
        1000000,
    )
    assert shifted["published_at"] == datetime(2019, 8, 27, 16, tzinfo=UTC)
    assert set(posts["account_name"].unique().to_list()) == {"Dear-迪丽热巴"}
    assert posts["observed_at"].unique().to_list() == [datetime(2019, 8, 29, 2, tzinfo=UTC)]
    assert posts["published_at"].min() == datetime(2012, 12, 31, 16, tzinfo=UTC)
    assert posts.filter(pl.col("shares") == 1_000_000).height == 154  # "100万+" capped counts kept

    rejects = read_zone(home.rejects)
    reasons = rejects.filter(pl.col("ingest_id") == posts["ingest_id"][0])
    assert reasons.height == 1398
    assert reasons["reason"].str.contains("repeated header row").sum() == 13
    assert reasons["reason"].str.contains("appears again later in this appended file").sum() == 1385
    assert reasons.filter(pl.col("source_row") == 175)["reason"].to_list() == [
        "weibo_crawler_posts: row 175: repeated header row (not data)"
    ]


def test_douyin_keyword_crawl(landed: dict, home: Settings) -> None:
    posts = read_lake(home, "post_observations").filter(pl.col("platform") == "douyin")
    assert posts.height == 499 and posts["post_id"].n_unique() == 410  # duplicates kept as observations
    row = posts.filter(pl.col("post_id") == "7521237645968690473").row(0, named=True)
    assert (row["account_id"], row["account_name"], row["likes"], row["comments"], row["shares"]) == (
        "108020400413",
        "江苏新闻",
        3256,
        293,
        292,
    )
    assert row["published_at"] == datetime(2025, 6, 29, 5, 23, 36, tzinfo=UTC)
    assert row["observed_at"] == datetime(2025, 6, 30, 6, 31, 11, tzinfo=UTC)  # from the file name
    assert row["post_url"] == "https://www.douyin.com/video/7521237645968690473"
    multi_line = posts.filter(pl.col("post_id") == "7521390621429402895").row(0, named=True)
    assert multi_line["text"].count("\n") == 3 and multi_line["likes"] == 51189


def test_ledger_and_quality(landed: dict, home: Settings) -> None:
    ledger = read_zone(home.ingests)
    assert ledger.height == 4 and set(ledger["status"]) == {"landed"}
    sources = dict(zip(ledger["original_name"], ledger["observed_at_source"], strict=True))
    assert sources["weibo/dilireba/1669879400.csv"] == "manifest"
    assert sources["douyin/keyword-crawl/results_20250630_143111.csv"] == "filename"
    assert sources["weibo/renmin/users.csv"] == "mtime"
    assert set(ledger["encoding"]) == {"utf-8-sig"}
    for row in ledger.iter_rows(named=True):
        raw = home.home / row["raw_path"]
        assert raw.is_file() and raw.name == f"{row['ingest_id']}.csv"
    quality = read_zone(home.quality)
    assert set(quality["suite"]) == {"lake_post_observations", "lake_account_observations"}
    assert quality.filter(pl.col("status") != "pass").height == 0
