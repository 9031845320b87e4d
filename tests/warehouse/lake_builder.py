"""A small, realistic lake written the way landing writes it (``citypulse.lake.schema.conform``).

Two overlapping export batches of a few accounts: registered official accounts, an unregistered media
account, an influencer and a private person; posts observed several times (one repeated by both
batches, one falling after a platform correction, one first seen days after publishing); topics in
every spelling (#大足石刻#, #大足石刻, ＃大足石刻); hot-search entries; the ledger, rejects and landing
GX results. ``bad_batch`` plants duplicate post rows and negative counts.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from citypulse.lake.schema import INGESTS, REJECTS, conform
from citypulse.settings import Settings

QUALITY_COLUMNS: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "check_source": pl.String(),
    "suite": pl.String(),
    "check_name": pl.String(),
    "status": pl.String(),
    "failing_rows": pl.Int64(),
    "details": pl.String(),
    "checked_at": pl.Datetime("us", "UTC"),
}

# Registered in dbt_project/seeds/accounts.csv (official, Dazu).
DAZU_DOUYIN = ("douyin", "58210347716", "大足文旅")
DAZU_WEIBO = ("weibo", "7318825406", "大足文旅")
# Not registered: classified by heuristics.
MEDIA_WEIBO = ("weibo", "9900000001", "山城晚报")
INFLUENCER_DOUYIN = ("douyin", "9900000002", "旅行达人阿杰")
PERSON_DOUYIN = ("douyin", "9900000003", "王小明的日常")
PERSONAL_NAMES = ("王小明的日常",)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def ingest_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _post(account: tuple[str, str, str], post_id: str, published: str, observed: str, **numbers: Any) -> dict:
    platform, account_id, account_name = account
    return {
        "platform": platform,
        "account_id": account_id,
        "account_name": account_name,
        "post_id": post_id,
        "post_url": f"https://example.invalid/{platform}/{post_id}",
        "published_at": utc(published),
        "observed_at": utc(observed),
        **numbers,
    }


def _write(settings: Settings, entity: str, rows: list[dict], iid: str) -> None:
    frame = pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.lit(iid).alias("ingest_id"), pl.int_range(1, len(rows) + 1).cast(pl.Int64).alias("source_row")
    )
    for (platform,), part in frame.group_by(["platform"]):
        folder = settings.lake / entity / f"platform={platform}"
        folder.mkdir(parents=True, exist_ok=True)
        conform(part, entity).collect().write_parquet(folder / f"{iid}.parquet")


def _ledger(
    settings: Settings,
    iid: str,
    name: str,
    platform: str,
    observed: str,
    landed: str,
    rows: int,
    rejected: int = 0,
) -> None:
    row = {
        "ingest_id": iid,
        "original_name": name,
        "platform": platform,
        "adapter": "fixture",
        "size_bytes": 1000,
        "encoding": "utf-8",
        "observed_at": utc(observed),
        "observed_at_source": "manifest",
        "landed_at": utc(landed),
        "status": "landed",
        "rows_in": rows + rejected,
        "rows_landed": rows,
        "rows_rejected": rejected,
        "error": None,
        "raw_path": f"raw/{platform}/{iid}.csv",
    }
    settings.ingests.mkdir(parents=True, exist_ok=True)
    pl.DataFrame([row], schema=INGESTS).write_parquet(settings.ingests / f"{iid}.parquet")


def write_batch_one(settings: Settings) -> None:
    """Exports of 2026-10-02 (Beijing time) for Douyin and Weibo, landed the same day."""
    posts = ingest_id("douyin-posts-1")
    observed = "2026-10-02T02:00:00"
    _write(
        settings,
        "post_observations",
        [
            _post(
                DAZU_DOUYIN,
                "dy1",
                "2026-10-01T01:00:00",
                observed,
                views=1000,
                likes=100,
                comments=10,
                shares=5,
                title="大足石刻 千手观音",
                text="来看#大足石刻 的千手观音，风景太美 #重庆旅游",
            ),
            _post(
                DAZU_DOUYIN,
                "dy2",
                "2026-09-20T01:00:00",
                observed,
                views=5000,
                likes=400,
                comments=40,
                shares=20,
                title="宝顶山夜景",
                text="＃大足石刻 灯光秀 科技感拉满",
            ),
            _post(
                INFLUENCER_DOUYIN,
                "dy3",
                "2026-10-01T03:00:00",
                observed,
                views=90000,
                likes=8000,
                comments=600,
                shares=300,
                title="重庆美食",
                text="大足的美食 火锅 #大足石刻",
                source_keyword="大足",
            ),
            _post(
                PERSON_DOUYIN,
                "dy4",
                "2026-10-01T05:00:00",
                observed,
                views=120,
                likes=9,
                comments=None,
                shares=1,
                title="周末",
                text="和家人去了大足 #周末",
                source_keyword="大足石刻",
            ),
        ],
        posts,
    )
    _ledger(
        settings,
        posts,
        "douyin_works_20261002.xlsx",
        "douyin",
        observed,
        "2026-10-02T03:00:00",
        4,
        rejected=1,
    )
    settings.rejects.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        [
            {
                "ingest_id": posts,
                "source_row": 5,
                "column": "播放量",
                "value": "12,3万?",
                "reason": "not a number",
                "record": json.dumps({"播放量": "12,3万?"}, ensure_ascii=False),
            }
        ],
        schema=REJECTS,
    ).write_parquet(settings.rejects / f"{posts}.parquet")
    settings.quality.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        [
            {
                "run_id": posts,
                "check_source": "gx",
                "suite": "lake_post_observations",
                "check_name": "expect_column_values_to_not_be_null(post_id)",
                "status": "pass",
                "failing_rows": 0,
                "details": None,
                "checked_at": utc("2026-10-02T03:00:01"),
            }
        ],
        schema=QUALITY_COLUMNS,
    ).write_parquet(settings.quality / f"{posts}.parquet")

    weibo = ingest_id("weibo-posts-1")
    _write(
        settings,
        "post_observations",
        [
            _post(
                DAZU_WEIBO,
                "wb1",
                "2026-10-01T02:00:00",
                observed,
                views=None,
                likes=50,
                comments=12,
                shares=30,
                text="#大足石刻#国庆假期游客爆满#大足石刻#",
            ),
            _post(
                MEDIA_WEIBO,
                "wb2",
                "2026-10-01T04:00:00",
                observed,
                views=None,
                likes=20,
                comments=3,
                shares=4,
                text="#大足石刻#数字化保护 #文化遗产#",
            ),
        ],
        weibo,
    )
    _ledger(settings, weibo, "weibo_posts_20261002.csv", "weibo", observed, "2026-10-02T03:10:00", 2)

    profiles = ingest_id("accounts-1")
    _write(
        settings,
        "account_observations",
        [
            {
                "platform": "douyin",
                "account_id": DAZU_DOUYIN[1],
                "account_name": DAZU_DOUYIN[2],
                "verified": True,
                "verified_type": "政府",
                "followers": 200000,
                "observed_at": utc(observed),
            },
            {
                "platform": "douyin",
                "account_id": INFLUENCER_DOUYIN[1],
                "account_name": INFLUENCER_DOUYIN[2],
                "verified": False,
                "followers": 560000,
                "observed_at": utc(observed),
            },
            {
                "platform": "douyin",
                "account_id": PERSON_DOUYIN[1],
                "account_name": PERSON_DOUYIN[2],
                "verified": False,
                "followers": 230,
                "observed_at": utc(observed),
            },
            {
                "platform": "weibo",
                "account_id": MEDIA_WEIBO[1],
                "account_name": MEDIA_WEIBO[2],
                "verified": True,
                "verified_type": None,
                "followers": 80000,
                "observed_at": utc(observed),
            },
        ],
        profiles,
    )
    _ledger(settings, profiles, "accounts_20261002.csv", "douyin", observed, "2026-10-02T03:20:00", 4)

    daily = ingest_id("douyin-daily-1")
    _write(
        settings,
        "account_daily",
        [
            {
                "platform": "douyin",
                "account_id": DAZU_DOUYIN[1],
                "date": date(2026, 10, 1),
                "followers": 199000,
                "followers_gained": 1200,
                "followers_lost": 50,
                "views": 30000,
                "profile_views": 900,
                "likes": 2000,
            },
            {
                "platform": "douyin",
                "account_id": DAZU_DOUYIN[1],
                "date": date(2026, 10, 2),
                "followers": 200000,
                "followers_gained": 1100,
                "followers_lost": 100,
                "views": 28000,
                "profile_views": 800,
                "likes": 1800,
            },
        ],
        daily,
    )
    _ledger(settings, daily, "douyin_overview_20261002.xlsx", "douyin", observed, "2026-10-02T03:30:00", 2)

    topics = ingest_id("weibo-topics-1")
    _write(
        settings,
        "topic_observations",
        [
            {
                "platform": "weibo",
                "topic": "大足石刻",
                "topic_raw": "#大足石刻#",
                "reads": 1_000_000,
                "discussions": 5000,
                "interactions": 9000,
                "originals": 300,
                "hot_rank": 12,
                "is_hot_search": True,
                "observed_at": utc(observed),
            },
            {
                "platform": "weibo",
                "topic": "大足石刻",
                "topic_raw": "#大足石刻#",
                "reads": 1_200_000,
                "discussions": 5600,
                "interactions": 9900,
                "originals": 320,
                "hot_rank": 8,
                "is_hot_search": True,
                "observed_at": utc("2026-10-02T08:00:00"),
            },
        ],
        topics,
    )
    _ledger(settings, topics, "weibo_hot_20261002.csv", "weibo", observed, "2026-10-02T09:00:00", 2)


def write_batch_two(settings: Settings) -> None:
    """Exports of 2026-10-05 that overlap batch one (dy1 repeated at the same observed_at, corrected)."""
    posts = ingest_id("douyin-posts-2")
    _write(
        settings,
        "post_observations",
        [
            # the same observation as batch one, re-exported with a corrected count: the later ingest wins
            _post(
                DAZU_DOUYIN,
                "dy1",
                "2026-10-01T01:00:00",
                "2026-10-02T02:00:00",
                views=1010,
                likes=100,
                comments=10,
                shares=5,
                title="大足石刻 千手观音",
                text="来看#大足石刻 的千手观音，风景太美 #重庆旅游",
            ),
            _post(
                DAZU_DOUYIN,
                "dy1",
                "2026-10-01T01:00:00",
                "2026-10-05T02:00:00",
                views=3000,
                likes=260,
                comments=30,
                shares=9,
                title="大足石刻 千手观音",
                text="来看#大足石刻 的千手观音，风景太美 #重庆旅游",
            ),
            # likes fell (the platform removed spam likes): kept and flagged, never clamped
            _post(
                DAZU_DOUYIN,
                "dy2",
                "2026-09-20T01:00:00",
                "2026-10-05T02:00:00",
                views=5600,
                likes=380,
                comments=45,
                shares=21,
                title="宝顶山夜景",
                text="＃大足石刻 灯光秀 科技感拉满",
            ),
            _post(
                PERSON_DOUYIN,
                "dy4",
                "2026-10-01T05:00:00",
                "2026-10-05T02:00:00",
                views=150,
                likes=11,
                comments=2,
                shares=1,
                title="周末",
                text="和家人去了大足 #周末",
                source_keyword="大足石刻",
            ),
        ],
        posts,
    )
    _ledger(
        settings,
        posts,
        "douyin_works_20261005.xlsx",
        "douyin",
        "2026-10-05T02:00:00",
        "2026-10-05T03:00:00",
        4,
    )

    topics = ingest_id("weibo-topics-2")
    _write(
        settings,
        "topic_observations",
        [
            {
                "platform": "weibo",
                "topic": "大足石刻",
                "topic_raw": "#大足石刻#",
                "reads": 1_500_000,
                "discussions": 6000,
                "interactions": 11000,
                "originals": 350,
                "hot_rank": None,
                "is_hot_search": False,
                "observed_at": utc("2026-10-05T02:00:00"),
            },
        ],
        topics,
    )
    _ledger(
        settings,
        topics,
        "weibo_topics_20261005.csv",
        "weibo",
        "2026-10-05T02:00:00",
        "2026-10-05T03:10:00",
        1,
    )


def write_topic_edit(settings: Settings) -> None:
    """An export of 2026-10-08: dy1's caption was edited and lost both of its topics."""
    posts = ingest_id("douyin-posts-edit")
    observed = "2026-10-08T02:00:00"
    _write(
        settings,
        "post_observations",
        [
            _post(
                DAZU_DOUYIN,
                "dy1",
                "2026-10-01T01:00:00",
                observed,
                views=3500,
                likes=270,
                comments=31,
                shares=9,
                title="大足石刻 千手观音",
                text="来看大足石刻的千手观音，风景太美",
            ),
        ],
        posts,
    )
    _ledger(settings, posts, "douyin_works_20261008.csv", "douyin", observed, "2026-10-08T03:00:00", 1)


def write_bad_batch(settings: Settings) -> str:
    """A file listing the same post twice at one observation, and a negative view count."""
    bad = ingest_id("douyin-posts-bad")
    observed = "2026-10-06T02:00:00"
    _write(
        settings,
        "post_observations",
        [
            _post(
                DAZU_DOUYIN,
                "dy1",
                "2026-10-01T01:00:00",
                observed,
                views=3100,
                likes=270,
                comments=31,
                shares=9,
            ),
            _post(
                DAZU_DOUYIN,
                "dy1",
                "2026-10-01T01:00:00",
                observed,
                views=3200,
                likes=271,
                comments=31,
                shares=9,
            ),
            _post(
                DAZU_DOUYIN,
                "dy2",
                "2026-09-20T01:00:00",
                observed,
                views=-5,
                likes=390,
                comments=45,
                shares=21,
            ),
        ],
        bad,
    )
    _ledger(settings, bad, "douyin_works_20261006.xlsx", "douyin", observed, "2026-10-06T03:00:00", 3)
    return bad
