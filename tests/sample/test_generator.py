"""The sample generator: determinism, coverage of every format, traps, registry consistency, scale."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from citypulse.errors import RefusedError
from citypulse.sample.generator import generate
from citypulse.sample.registry import SEEDS_DIR

Sample = tuple[Path, dict[str, Any]]

EXPECTED_FORMATS = {
    "douyin_creator_works",
    "douyin_account_overview",
    "douyin_mediacrawler_search_csv",
    "douyin_mediacrawler_search_jsonl",
    "weibo_crawler_posts",
    "weibo_crawler_users",
    "weibo_spider_posts",
    "weibo_mediacrawler_notes",
    "weibo_topic_detail",
    "weibo_hot_search",
    "youtube_studio_zip",
    "youtube_studio_cities",
    "youtube_api_videos",
    "x_content",
    "x_overview",
    "x_tweet_activity",
    "facebook_posts",
    "facebook_page_daily",
    "instagram_posts",
    "tiktok_studio_zip",
    "tiktok_overview_es",
    "bad_file",
}


def _digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _manifests(root: Path) -> list[dict[str, Any]]:
    return [
        yaml.safe_load(p.read_text(encoding="utf-8")) | {"platform": p.relative_to(root).parts[0]}
        for p in sorted(root.rglob("_manifest.yaml"))
    ]


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path: Path, sample: Sample) -> None:
    out, summary = sample
    again = generate(tmp_path / "again")
    assert again["files"] == summary["files"]
    assert _digest(tmp_path / "again") == _digest(out)
    small_a = _digest(Path(generate(tmp_path / "a", cities=2, months=1, seed=7)["out"]))
    small_b = _digest(Path(generate(tmp_path / "b", cities=2, months=1, seed=8)["out"]))
    assert small_a.keys() & small_b.keys(), "the layout depends on the registry and calendar, not the seed"
    assert small_a != small_b


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("keep me")
    with pytest.raises(RefusedError):
        generate(tmp_path)
    assert (tmp_path / "x.txt").read_text() == "keep me"


def test_every_format_is_present_and_summary_matches_disk(sample: Sample) -> None:
    out, summary = sample
    assert set(summary["by_format"]) == EXPECTED_FORMATS
    data_files = [p for p in out.rglob("*") if p.is_file() and p.name != "_manifest.yaml"]
    assert len(data_files) == summary["files"]
    assert summary["period_start"] == "2026-08-01" and summary["period_end"] == "2026-10-31"
    assert summary["rows"] > 2000
    # every folder names its observation time and zone
    for m in _manifests(out):
        assert datetime.fromisoformat(m["observed_at"]).utcoffset() is not None
        assert m["timezone"]


def test_csv_traps(sample: Sample) -> None:
    out, _ = sample
    crawler = sorted(out.glob("weibo/*_2026*/[0-9]*.csv"))
    assert crawler and all(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in crawler)
    texts = "".join(p.read_text(encoding="utf-8-sig") for p in crawler)
    assert re.search(r"^\d{16}\t,", texts, re.M), "weibo-crawler ids end with a tab"
    assert re.search(r",\d+(\.\d)?万\+,", texts), "counts like 1.5万+"
    assert '"12,3万"' in texts, "an unparseable count"
    assert re.search(r"^,[0-9a-zA-Z]{9},", texts, re.M), "a row without an id"
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", texts)
    # ragged retweet rows: more fields than the header
    rows = list(csv.reader(io.StringIO(texts)))
    assert any(len(r) > 19 for r in rows)

    spider = next(out.glob("weibo/*_weibospider_*/*.csv")).read_text(encoding="utf-8")
    header = (
        "微博id,微博正文,头条文章url,原始图片url,微博视频url,发布位置,发布时间,发布工具,点赞数,转发数,评论数"
    )
    assert spider.count("\ufeff" + header) >= 2, "weiboSpider re-appends its header (with a BOM) on every run"

    mediacrawler = next(out.glob("douyin/mediacrawler_search_*/*.csv")).read_text(encoding="utf-8-sig")
    assert ",None," in mediacrawler
    frame = pl.read_csv(io.StringIO(mediacrawler), infer_schema=False)
    assert (
        frame["create_time"].str.len_chars().max() == 10
        and frame["last_modify_ts"].str.len_chars().min() == 13
    )

    notes = pl.read_csv(next(out.glob("weibo/mediacrawler_search_*/*.csv")), infer_schema=False)
    local = notes["create_date_time"].str.to_datetime("%Y-%m-%d %H:%M:%S%:z").dt.epoch("s")
    assert ((notes["create_time"].cast(pl.Int64) - local) == 8 * 3600).all(), "MediaCrawler's 8-hour bug"

    gbk = sorted(out.glob("weibo/topics_*/*.csv"))[0].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert gbk.decode("gbk").startswith("话题,阅读量,讨论量,互动量,原创量\r\n")
    topics = "".join(p.read_text(encoding="utf-8-sig") for p in sorted(out.glob("weibo/topics_*/*.csv"))[1:])
    assert re.search(r"\d+(\.\d)?亿", topics) and re.search(r",\d+万", topics)


def test_youtube_cities_tables_in_studio_format(sample: Sample) -> None:
    out, summary = sample
    tables = sorted(out.glob("youtube/*_audience_*/Cities *.csv"))
    youtube_accounts = {m["account_id"] for m in _manifests(out) if m["platform"] == "youtube"}
    # one table per YouTube channel per monthly export
    assert len(tables) == summary["by_format"]["youtube_studio_cities"] > 0
    assert {p.parent.name.split("_audience_")[0] for p in tables} == youtube_accounts
    raw = tables[0].read_bytes()
    assert raw.startswith(b"Cities,City name,Views,Watch time (hours),Average view duration\r\n")
    lines = raw.decode("utf-8").split("\r\n")
    assert lines[-1] == "" and re.fullmatch(r"Showing top \d+ results,,,,", lines[-2])
    # a Google Maps feature id, then a city name quoted for its commas
    row = r'^0x[0-9a-f]{16}:0x[0-9a-f]+,"[^",]+, [^"]+",\d+,[\d.]+,\d+:\d\d:\d\d\r$'
    assert re.search(row, raw.decode(), re.M)
    views = [int(line.split('",')[1].split(",")[0]) for line in lines[1:-2] if '",' in line]
    assert views == sorted(views, reverse=True)
    manifest = yaml.safe_load((tables[0].parent / "_manifest.yaml").read_text(encoding="utf-8"))
    start, end = tables[0].stem.split(" ")[1].split("_")
    assert (manifest["period_start"], manifest["period_end"]) == (start, end)


def test_overseas_traps(sample: Sample) -> None:
    out, _ = sample
    with zipfile.ZipFile(next(out.glob("youtube/*/*.zip"))) as zf:
        assert sorted(zf.namelist()) == ["Chart data.csv", "Table data.csv", "Totals.csv"]
        table = zf.read("Table data.csv").decode()
    assert table.splitlines()[1].startswith("Total,")
    assert re.search(r'"[A-Z][a-z]{2} \d{1,2}, 20\d\d"', table)
    all_tables = "".join(
        zipfile.ZipFile(p).read("Table data.csv").decode() for p in out.glob("youtube/*/*.zip")
    )
    assert "\n -" in all_tables, "an id starting with '-' is written with a leading space"

    api = [json.loads(p.read_text()) for p in out.glob("youtube/*_api_*/*.json")]
    stats = [item["statistics"] for doc in api for item in doc["items"]]
    assert all(isinstance(s["viewCount"], str) for s in stats)
    assert any("likeCount" not in s for s in stats)

    with zipfile.ZipFile(next(out.glob("tiktok/*/*.zip"))) as zf:
        content = zf.read("Content.csv")
        history = zf.read("FollowerHistory.csv").decode("utf-8-sig")
    assert content.startswith(b'\xef\xbb\xbf"Time","Video title"') and not content.endswith(b"\n")
    assert '"undefined"' in history
    assert re.search(
        r'^"(January|February|March|April|May|June|July|August|September|October|November|December) \d{1,2}",',
        history,
        re.M,
    )
    spanish = next(out.glob("tiktok/*_es_*/Overview.csv")).read_text(encoding="utf-8-sig")
    assert re.search(r'"\d{1,2} de (octubre|noviembre)"', spanish)

    fb = sorted(out.glob("facebook/*/*_*.csv"))
    headers = {len(next(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))))) for p in fb}
    assert headers == {32, 33, 34}
    first = fb[0].read_bytes()
    assert first.startswith(b"\xef\xbb\xbf") and b'"Reactions, ' in first and b",Lifetime," in first
    page = next(out.glob("facebook/*_page_*/Follows.csv")).read_bytes()
    assert page.startswith(b"\xff\xfe") and page.decode("utf-16").startswith(
        'sep=,\r\n"Facebook follows"\r\n'
    )

    x_content = pl.read_csv(next(out.glob("x/*/account_analytics_content_*.csv")), infer_schema=False)
    recovered = x_content.select(
        pl.from_epoch((pl.col("Post id").cast(pl.Int64) // (1 << 22) + 1288834974657), time_unit="ms")
        .dt.strftime("%a, %b %-d, %Y")
        .alias("date")
    )["date"]
    assert (recovered == x_content["Date"]).all(), "the Snowflake id's embedded time is the post's date"
    legacy = next(out.glob("x/*_legacy_*/tweet_activity_metrics_*.csv")).read_text()
    assert legacy.startswith('"Tweet id","Tweet permalink"') and "+0000" in legacy and '"-"' in legacy


def test_douyin_works_export_traps(sample: Sample) -> None:
    out, summary = sample
    works = [pl.read_excel(p, infer_schema_length=0) for p in sorted(out.glob("douyin/*_2026*/data_*.xlsx"))]
    assert list(works[0].columns) == [
        "作品名称",
        "发布时间",
        "体裁",
        "审核状态",
        "播放量",
        "完播率",
        "5s完播率",
        "封面点击率",
        "2s跳出率",
        "平均播放时长",
        "点赞量",
        "分享量",
        "评论量",
        "收藏量",
        "主页访问量",
        "粉丝增量",
    ]
    allw = pl.concat(works)
    assert allw["作品名称"].str.contains("\n#").all()
    assert allw["完播率"].str.ends_with("%").any() and allw["封面点击率"].eq("-").any()
    assert allw["点赞量"].eq("-3").sum() == 1
    bad = out / summary["bad_files"][0]
    assert summary["bad_files"] == [bad.relative_to(out).as_posix()] and bad.name == "data(1).xlsx"
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(bad)


def test_registry_accounts_all_appear_and_officials_are_observed_after_maturity(sample: Sample) -> None:
    out, summary = sample
    registry = pl.read_csv(SEEDS_DIR / "accounts.csv", infer_schema=False).filter(
        pl.col("city_code").is_in(summary["cities"]) & pl.col("valid_to").is_null()
    )
    manifests = _manifests(out)
    seen = {(m.get("platform"), str(m["account_id"])) for m in manifests if "account_id" in m}
    for path in list(out.glob("douyin/mediacrawler_search_*/*.csv")) + list(
        out.glob("weibo/mediacrawler_search_*/*.csv")
    ):
        frame = pl.read_csv(path, infer_schema=False)
        seen |= {(path.parts[-3], uid) for uid in frame["user_id"]}
    for path in out.glob("weibo/users_*/users.csv"):
        seen |= {("weibo", uid) for uid in pl.read_csv(path, infer_schema=False)["用户id"]}
    registered = set(registry.select("platform", "account_id").iter_rows())
    assert registered <= seen, f"registered accounts without data: {registered - seen}"

    # month end + 7 days (local), before the evaluation run's data cutoff of the 8th, 00:00
    mature = datetime.fromisoformat(summary["period_end"] + "T00:00:00+08:00") + timedelta(days=7)
    cutoff = mature + timedelta(days=1)
    for platform, account_id in (
        registry.filter(pl.col("account_type") == "official").select("platform", "account_id").iter_rows()
    ):
        times = [
            datetime.fromisoformat(m["observed_at"])
            for m in manifests
            if str(m.get("account_id")) == account_id and m.get("platform") == platform
        ]
        assert times and any(mature <= t < cutoff for t in times), (
            f"{platform}/{account_id} not observed on month end + 7 days, before the run's cutoff"
        )

    # search results mix account types, in rank order, 20 per keyword once the period has content
    res = pl.read_csv(sorted(out.glob("douyin/mediacrawler_search_*/*.csv"))[-1], infer_schema=False)
    per_keyword = res.group_by("source_keyword").len()
    assert per_keyword["len"].max() == 20
    ids = set(res["user_id"])
    assert ids & set(registry["account_id"]) and ids - set(registry["account_id"])


def test_a_city_loses_followers_and_seeds_are_consistent(sample: Sample) -> None:
    out, summary = sample
    overviews = pl.concat(
        [
            pl.read_excel(p, infer_schema_length=0).with_columns(file=pl.lit(p.parent.name))
            for p in out.glob("douyin/*_overview_*/*.xlsx")
        ]
    )
    net = overviews.group_by("file").agg(pl.col("净增粉丝").cast(pl.Int64).sum())
    assert (net["净增粉丝"] < 0).any() and (net["净增粉丝"] > 0).any()
    cities = pl.read_csv(SEEDS_DIR / "cities.csv", infer_schema=False)
    accounts = pl.read_csv(SEEDS_DIR / "accounts.csv", infer_schema=False)
    keywords = pl.read_csv(SEEDS_DIR / "city_keywords.csv", infer_schema=False)
    themes = pl.read_csv(SEEDS_DIR / "theme_keywords.csv", infer_schema=False)
    assert set(accounts["city_code"]) <= set(cities["city_code"]) and set(keywords["city_code"]) == set(
        cities["city_code"]
    )
    assert set(accounts["account_type"]) <= {"official", "media", "influencer", "personal"}
    assert accounts.filter(pl.col("valid_to").is_null()).select("platform", "account_id").is_unique().all()
    assert set(themes.filter(pl.col("theme_set") == "BEST")["theme"]) == {
        "BGM",
        "Eating",
        "Scenery",
        "Technology",
    }
    assert set(themes.filter(pl.col("theme_set") == "focus")["theme"]) == {
        "自然人文",
        "美食",
        "文化",
        "活动",
        "设施",
    }
    overseas = {"youtube", "x", "facebook", "instagram", "tiktok"}
    covered = set(
        accounts.filter(pl.col("platform").is_in(overseas)).select("platform", "city_code").iter_rows()
    )
    assert len(covered) < len(overseas) * cities.height, (
        "some city lacks an account on some overseas platform"
    )


def test_rows_scales_the_archives(tmp_path: Path) -> None:
    summary = generate(tmp_path / "big", cities=1, months=1, rows=3000)
    out = Path(summary["out"])
    archive = next(out.glob("weibo/*_archive_*/*.csv"))
    assert sum(1 for _ in archive.open(encoding="utf-8-sig")) == 3001
    frame = pl.read_csv(archive, infer_schema=False)
    assert frame["id"].n_unique() == 3000
    xlsx = pl.read_excel(next(out.glob("douyin/*_archive_*/*.xlsx")), infer_schema_length=0)
    assert xlsx.height == 3000
