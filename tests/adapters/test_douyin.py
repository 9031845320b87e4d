"""Douyin adapters on generated fixtures: creator works xlsx, account overview, MediaCrawler (both shapes)."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import read_lake, read_zone

WORKS_HEADER = [
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
MANIFEST = "account_id: '1234567890'\naccount_name: 武汉文旅\ncity_code: '420100'\n"


def _xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf)
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value) if isinstance(value, str) else sheet.write(r, c, value)
    book.close()
    return buf.getvalue()


def _put(inbox: Path, relative: str, data: bytes, manifest: str | None = None) -> None:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if manifest:
        (path.parent / "_manifest.yaml").write_text(manifest, encoding="utf-8")


def test_creator_works_export(home: Settings) -> None:
    rows = [
        WORKS_HEADER,
        [
            "樱花季来武汉 #武汉旅游\n东湖樱园今日开放",
            "2025-03-20 14:47:18",
            "1-3min视频",
            "公开",
            "12.3万",
            "0.02",
            "0.3",
            "-",
            "0.4",
            "20.0",
            "3456",
            "12",
            "78",
            "90",
            "100",
            "5",
        ],
        [
            "热干面的一天",
            "2025-03-21 09:05",
            "图文",
            "公开",
            "8,000",
            "16.42%",
            "0.5",
            "0.1",
            "0.2",
            "15",
            "1.2w",
            "-",
            "3",
            "4",
            "5",
            "-2",
        ],
        [
            "坏数据",
            "2025-03-22 10:00",
            "图文",
            "公开",
            "12,3万",
            "0.1",
            "0.5",
            "0.1",
            "0.2",
            "15",
            "1",
            "1",
            "1",
            "1",
            "1",
            "1",
        ],
    ]
    _put(
        home.inbox,
        "douyin/whwl/data_2025-03-25.xlsx",
        _xlsx({"Sheet1": [[str(v) for v in r] for r in rows]}),
        MANIFEST,
    )
    result = land_inbox(home, home.inbox).to_json()["files"][0]
    assert (result["adapter"], result["rows_in"], result["rows_landed"], result["rows_rejected"]) == (
        "douyin_creator_works",
        3,
        2,
        1,
    )
    posts = read_lake(home, "post_observations").sort("source_row")
    first, second = posts.to_dicts()
    natural_key = "douyin|1234567890|2025-03-20T06:47:18Z|樱花季来武汉 #武汉旅游"
    assert first["post_id"] == "sk_" + hashlib.md5(natural_key.encode()).hexdigest()
    assert (first["account_id"], first["account_name"]) == ("1234567890", "武汉文旅")
    assert first["title"] == "樱花季来武汉 #武汉旅游" and first["text"].endswith("东湖樱园今日开放")
    assert first["published_at"] == datetime(2025, 3, 20, 6, 47, 18, tzinfo=UTC)
    assert (first["views"], first["likes"], first["shares"], first["completion_rate"]) == (
        123000,
        3456,
        12,
        0.02,
    )
    assert second["shares"] is None and second["likes"] == 12000 and second["completion_rate"] == 0.1642
    assert second["followers_gained"] == -2 and second["views"] == 8000
    reject = read_zone(home.rejects).row(0, named=True)
    assert reject["reason"] == "douyin_creator_works: row 4, column 播放量: '12,3万' is not a number"

    # the surrogate id is deterministic: the same work in a later export gets the same id
    rows[1][4] = "13万"
    _put(
        home.inbox, "douyin/whwl/data_2025-03-26.xlsx", _xlsx({"Sheet1": [[str(v) for v in r] for r in rows]})
    )
    land_inbox(home, home.inbox)
    again = read_lake(home, "post_observations").filter(pl.col("views") == 130000)
    assert again["post_id"].to_list() == [first["post_id"]]


def test_account_overview(home: Settings) -> None:
    rows = [
        [
            "日期",
            "播放量",
            "主页访问",
            "作品点赞",
            "作品评论",
            "作品分享",
            "新增粉丝",
            "取关粉丝",
            "净增粉丝",
            "总粉丝",
        ],
        ["2025-03-01", "1.2万", "300", "800", "20", "15", "50", "8", "42", "10.5万"],
        ["2025-03-02", "9000", "-", "700", "10", "9", "30", "2", "28", "105028"],
    ]
    _put(home.inbox, "douyin/whwl/daily_2025-03-03.xlsx", _xlsx({"数据": rows}), MANIFEST)
    assert land_inbox(home, home.inbox).exit_code == 0
    daily = read_lake(home, "account_daily").sort("date")
    assert daily.select(
        "account_id", "date", "views", "profile_views", "followers_gained", "followers_lost", "followers"
    ).rows() == [
        ("1234567890", date(2025, 3, 1), 12000, 300, 50, 8, 105000),
        ("1234567890", date(2025, 3, 2), 9000, None, 30, 2, 105028),
    ]


OLD_CONTENT = [
    "aweme_id",
    "aweme_type",
    "title",
    "desc",
    "create_time",
    "user_id",
    "sec_uid",
    "short_user_id",
    "user_unique_id",
    "user_signature",
    "nickname",
    "avatar",
    "liked_count",
    "collected_count",
    "comment_count",
    "share_count",
    "ip_location",
    "last_modify_ts",
    "aweme_url",
    "cover_url",
    "video_download_url",
    "music_download_url",
    "note_download_url",
    "source_keyword",
]


def _old_row(aweme: str, liked: str, keyword: str) -> list[str]:
    values = dict.fromkeys(OLD_CONTENT, "")
    values.update(
        aweme_id=aweme,
        aweme_type="0",
        title="长江灯光秀 #武汉",
        desc="长江灯光秀 #武汉",
        create_time="1740787200",
        user_id="88001",
        nickname="武汉发布",
        liked_count=liked,
        collected_count="None",
        comment_count="12",
        share_count="3",
        ip_location="湖北",
        last_modify_ts="1740880800123",
        aweme_url=f"https://www.douyin.com/video/{aweme}",
        source_keyword=keyword,
    )
    return [values[k] for k in OLD_CONTENT]


def test_mediacrawler_old_shape_csv_and_creators_xlsx(home: Settings) -> None:
    lines = [
        OLD_CONTENT,
        _old_row("7480000000000000001", "1.2万", "武汉"),
        _old_row("7480000000000000001", "12001", "江城"),
    ]
    csv = "\n".join(",".join(f'"{v}"' for v in row) for row in lines) + "\n"
    _put(home.inbox, "douyin/crawl/search_contents.csv", csv.encode("utf-8-sig"))
    creators = [
        [
            "user_id",
            "nickname",
            "gender",
            "avatar",
            "desc",
            "ip_location",
            "follows",
            "fans",
            "interaction",
            "videos_count",
            "last_modify_ts",
        ],
        [
            "88001",
            "武汉发布",
            "未知",
            "",
            "武汉市人民政府新闻办公室",
            "湖北",
            "12",
            "245.6万",
            "1.2亿",
            "3021",
            "1740880800123",
        ],
    ]
    _put(
        home.inbox,
        "douyin/crawl/douyin_search_1740880800.xlsx",
        _xlsx(
            {"Contents": [OLD_CONTENT, _old_row("7480000000000000002", "5", "武汉")], "Creators": creators}
        ),
    )
    result = land_inbox(home, home.inbox).to_json()["files"]
    assert [(f["adapter"], f["rows_landed"]) for f in result] == [
        ("douyin_mediacrawler_contents,douyin_mediacrawler_creators", 2),
        ("douyin_mediacrawler_contents", 2),
    ]
    posts = read_lake(home, "post_observations").sort("ingest_id", "source_row")
    csv_rows = posts.filter(pl.col("post_id") == "7480000000000000001")
    assert csv_rows["likes"].to_list() == [12000, 12001] and csv_rows["saves"].to_list() == [None, None]
    assert csv_rows["source_keyword"].to_list() == ["武汉", "江城"]
    assert csv_rows["published_at"].to_list() == [datetime(2025, 3, 1, 0, 0, tzinfo=UTC)] * 2
    # no manifest, no date in the name: observed_at is the latest last_modify_ts (milliseconds)
    assert csv_rows["observed_at"].to_list() == [datetime(2025, 3, 2, 2, 0, 0, 123000, tzinfo=UTC)] * 2
    accounts = read_lake(home, "account_observations")
    assert accounts.select("account_id", "followers", "following", "likes_total", "posts_count").row(0) == (
        "88001",
        2456000,
        12,
        120000000,
        3021,
    )
    ledger = read_zone(home.ingests).sort("original_name")
    assert ledger["observed_at_source"].to_list() == ["content", "content"]


def test_mediacrawler_new_anonymised_jsonl(home: Settings) -> None:
    record = {
        "aweme_id": "7490000000000000009",
        "aweme_type": "68",
        "title": "图文",
        "desc": "图文 #江城",
        "create_time": 1740787200,
        "creator_hash": "c0ffee42",
        "nickname": "武**布",
        "liked_count": "None",
        "collected_count": "7",
        "comment_count": "None",
        "share_count": "2",
        "last_modify_ts": 1740880800123,
        "aweme_url": "https://www.douyin.com/video/7490000000000000009",
        "source_keyword": "武汉",
    }
    text = "\n".join(json.dumps(r, ensure_ascii=False) for r in [record, {**record, "aweme_id": ""}]) + "\n"
    _put(home.inbox, "douyin/crawl/search_contents_2025-03-02.jsonl", text.encode())
    result = land_inbox(home, home.inbox).to_json()["files"][0]
    assert (result["rows_landed"], result["rows_rejected"]) == (1, 1)
    post = read_lake(home, "post_observations").row(0, named=True)
    assert (post["account_id"], post["account_name"], post["likes"], post["saves"], post["comments"]) == (
        "c0ffee42",
        "武**布",
        None,
        7,
        None,
    )
    assert "required value (post_id) is missing" in read_zone(home.rejects)["reason"][0]


def test_jsonl_source_rows_are_file_lines_even_after_blank_lines(home: Settings) -> None:
    record = {
        "aweme_id": "7490000000000000009",
        "create_time": 1740787200,
        "creator_hash": "c0ffee42",
        "liked_count": "5",
        "last_modify_ts": 1740880800123,
        "aweme_url": "https://www.douyin.com/video/7490000000000000009",
    }
    lines = [json.dumps(record), "", "  ", json.dumps({**record, "liked_count": "lots"}), ""]
    _put(home.inbox, "douyin/crawl/search_contents_2025-03-02.jsonl", "\r\n".join(lines).encode())
    result = land_inbox(home, home.inbox).to_json()["files"][0]
    assert (result["rows_in"], result["rows_landed"], result["rows_rejected"]) == (2, 1, 1)
    assert read_lake(home, "post_observations")["source_row"].to_list() == [1]
    reject = read_zone(home.rejects).row(0, named=True)
    assert (reject["source_row"], reject["column"], reject["value"]) == (4, "liked_count", "lots")
    assert reject["reason"].startswith("douyin_mediacrawler_contents: row 4, column liked_count")
