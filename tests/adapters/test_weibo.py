"""Weibo adapters on generated fixtures: weiboSpider, MediaCrawler notes, hot search JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import read_lake, read_zone

SPIDER_HEADER = "微博id,微博正文,头条文章url,原始图片url,被转发微博原始图片url,是否为原创微博,微博视频url,发布位置,发布时间,发布工具,点赞数,转发数,评论数"


def _put(inbox: Path, relative: str, text: str, encoding: str = "utf-8-sig") -> None:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def test_weibo_spider_with_repeated_header(home: Settings) -> None:
    body = (
        "\n".join(
            [
                SPIDER_HEADER,
                "Kx1,#武汉# 樱花开了,,,,True,,武汉大学,2025-03-20 09:15,iPhone客户端,1.5万+,20,30",
                SPIDER_HEADER,
                "Kx2,转发,,,,False,,无,2025-03-21 10:00,无,5,100万+,-",
            ]
        )
        + "\n"
    )
    _put(home.inbox, "weibo/wh/2803301701_2025-03-22.csv", body)
    result = land_inbox(home, home.inbox).to_json()["files"][0]
    assert (result["adapter"], result["rows_in"], result["rows_landed"], result["rows_rejected"]) == (
        "weibo_spider_posts",
        3,
        2,
        1,
    )
    posts = read_lake(home, "post_observations").sort("source_row")
    assert posts.select("post_id", "likes", "shares", "comments", "post_type", "published_at").rows() == [
        ("Kx1", 15000, 20, 30, "original", datetime(2025, 3, 20, 1, 15, tzinfo=UTC)),
        ("Kx2", 5, 1000000, None, "repost", datetime(2025, 3, 21, 2, 0, tzinfo=UTC)),
    ]
    assert read_zone(home.rejects)["reason"].to_list() == [
        "weibo_spider_posts: row 3: repeated header row (not data)"
    ]


def test_mediacrawler_notes_use_create_date_time(home: Settings) -> None:
    header = (
        "note_id,content,create_time,create_date_time,liked_count,comments_count,shared_count,last_modify_ts,"
        "note_url,ip_location,user_id,nickname,gender,profile_url,avatar,source_keyword"
    )
    row = (
        "4890000000000001,江城夜景,1682942400,2023-05-01 12:00:00+08:00,1.2万,None,3,1682946000000,"
        "https://m.weibo.cn/detail/4890000000000001,湖北,2803301701,人民日报,,,,武汉"
    )
    _put(home.inbox, "weibo/crawl/search_contents_2023-05-01.csv", f"{header}\n{row}\n")
    land_inbox(home, home.inbox)
    post = read_lake(home, "post_observations").row(0, named=True)
    # create_time (1682942400 = 12:00 UTC) is 8 h late; create_date_time is right: 04:00 UTC
    assert post["published_at"] == datetime(2023, 5, 1, 4, tzinfo=UTC)
    assert (post["likes"], post["comments"], post["shares"], post["ip_location"]) == (12000, None, 3, "湖北")
    assert post["account_id"] == "2803301701" and post["source_keyword"] == "武汉"


def test_hot_search_json(home: Settings) -> None:
    doc = {
        "ok": 1,
        "data": {
            "realtime": [
                {
                    "word": "武汉樱花",
                    "num": 1234567,
                    "rank": 0,
                    "realpos": 1,
                    "label_name": "热",
                    "is_ad": 0,
                    "note": "武汉樱花",
                    "word_scheme": "#武汉樱花#",
                },
                {
                    "word": "某品牌新品",
                    "num": 999,
                    "rank": 1,
                    "realpos": 2,
                    "label_name": "商",
                    "is_ad": 1,
                    "note": "某品牌新品",
                    "word_scheme": "#某品牌新品#",
                },
                {
                    "word": "热干面",
                    "num": 888,
                    "rank": 2,
                    "realpos": 3,
                    "label_name": "",
                    "is_ad": 0,
                    "note": "热干面",
                },
            ],
            "hotgov": {"word": "#政务信息#", "note": "政务信息"},
        },
    }
    _put(
        home.inbox, "weibo/hot/hotsearch_2025-03-20T120000.json", json.dumps(doc, ensure_ascii=False), "utf-8"
    )
    result = land_inbox(home, home.inbox).to_json()["files"][0]
    assert (result["adapter"], result["rows_landed"], result["rows_rejected"]) == ("weibo_hot_search", 2, 1)
    topics = read_lake(home, "topic_observations").sort("hot_rank")
    assert topics.select("topic", "topic_raw", "hot_rank", "is_hot_search", "reads").rows() == [
        ("武汉樱花", "#武汉樱花#", 1, True, None),
        ("热干面", "热干面", 3, True, None),
    ]
    assert topics["observed_at"].unique().to_list() == [datetime(2025, 3, 20, 4, tzinfo=UTC)]
    reject = read_zone(home.rejects).row(0, named=True)
    assert (
        reject["reason"]
        == "weibo_hot_search: row 2, column is_ad: advertisement (is_ad=1), not a hot-search entry"
    )
    assert json.loads(reject["record"])["word"] == "某品牌新品"
    assert pl.read_parquet(next(home.quality.glob("*.parquet")))["status"].unique().to_list() == ["pass"]
