"""A small serving.duckdb with the contracted mart columns (docs/marts-contract.md).

Hand-checkable: three cities, October 2026; Chengdu and Zibo have Douyin and YouTube accounts,
Xi'an only Douyin. Each post has a snapshot 3 days after publishing (inside the 7-day maturity
window) and one 10 days after (outside it: must be ignored).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from citypulse.diagnostics import homogeneity
from citypulse.warehouse.pii import pii_key

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")


def local(y: int, m: int, d: int, h: int = 12, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=SH).astimezone(UTC)


ACCOUNTS = [  # platform, account_id, name, city, type, valid_from
    ("douyin", "cd1", "成都文旅", "510100", "official"),
    ("youtube", "cdyt", "Visit Chengdu", "510100", "official"),
    ("douyin", "xa1", "西安文旅", "610100", "official"),
    ("douyin", "zb1", "淄博文旅", "370300", "official"),
    ("youtube", "zbyt", "Zibo", "370300", "official"),
    ("douyin", "fan1", "某网友", "510100", "personal"),
]

# post_id, platform, account, published (UTC), title, theme, views@+3d, likes, comments, shares
POSTS = [
    ("p1", "douyin", "cd1", local(2026, 10, 5), "成都火锅", "Eating", 100_000, 5_000, 300, 200),
    ("p2", "douyin", "cd1", local(2026, 10, 31, 20), "大熊猫基地", "Scenery", 300_000, 9_000, 500, 400),
    # 00:30 on 1 November in Shanghai is 31 October in UTC: not an October post
    ("p3", "douyin", "cd1", local(2026, 11, 1, 0, 30), "十一月", "Scenery", 999_999, 1, 1, 1),
    ("p4", "douyin", "xa1", local(2026, 10, 10), "大唐不夜城", "Scenery", 50_000, 2_000, 100, 50),
    ("p5", "douyin", "zb1", local(2026, 10, 12), "淄博烧烤", "Eating", 80_000, 4_000, 200, 300),
    ("p6", "youtube", "cdyt", local(2026, 10, 7), "Chengdu pandas", "Scenery", 20_000, 800, 40, None),
    ("p7", "youtube", "zbyt", local(2026, 10, 8), "Zibo BBQ", "Eating", 5_000, 150, 10, None),
    ("p8", "douyin", "fan1", local(2026, 10, 9), "成都美食", "Eating", 7_000_000, 1, 1, 1),
]

FOLLOWERS = {  # account -> (followers on 1 Oct, on 1 Nov)
    "cd1": (1_000_000, 1_050_000),
    "cdyt": (40_000, 41_000),
    "xa1": (800_000, 790_000),
    "zb1": (300_000, 330_000),
    "zbyt": (5_000, 5_100),
    "fan1": (10, 10),
}


def build(
    path: Path, last_day: date = date(2026, 11, 7), extra_views: int = 0, empty_exports_on: date | None = None
) -> Path:
    """Write the fixture warehouse; ``extra_views`` simulates a lake change before a rebuild;
    ``empty_exports_on`` adds, for every account, a landed export of that day with no rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # a published warehouse was built with its data home's PII key (<home>/warehouse/serving.duckdb)
    pii_key(path.parent.parent)
    if path.exists():
        path.unlink()
    acc = pl.DataFrame(
        ACCOUNTS, schema=["platform", "account_id", "account_name", "city_code", "account_type"], orient="row"
    ).with_columns(valid_from=pl.lit(date(2024, 1, 1)), valid_to=pl.lit(None, pl.Date))
    city_of = {a[1]: a[3] for a in ACCOUNTS}
    posts = pl.DataFrame(
        [
            (pid, plat, acct, city_of[acct], pub, title, theme, f"https://example.invalid/{pid}")
            for pid, plat, acct, pub, title, theme, *_ in POSTS
        ],
        schema=[
            "post_id",
            "platform",
            "account_id",
            "city_code",
            "published_at",
            "title",
            "best_theme",
            "post_url",
        ],
        orient="row",
    ).with_columns(
        post_key=pl.col("post_id"),
        text=pl.lit(""),
        published_at=pl.col("published_at").dt.convert_time_zone("UTC"),
        is_official=pl.col("account_id") != "fan1",
        source_keyword=pl.lit(None, pl.String),
    )
    snaps = []
    for pid, plat, acct, pub, _t, _th, views, likes, comments, shares in POSTS:
        for days, factor in ((3, 1), (10, 3)):
            snaps.append(
                (
                    pid,
                    pid,
                    plat,
                    acct,
                    pub + timedelta(days=days),
                    views * factor + extra_views,
                    likes * factor,
                    comments * factor,
                    None if shares is None else shares * factor,
                )
            )
    snapshots = pl.DataFrame(
        snaps,
        schema=[
            "post_key",
            "post_id",
            "platform",
            "account_id",
            "observed_at",
            "views",
            "likes",
            "comments",
            "shares",
        ],
        orient="row",
    ).with_columns(
        observed_at=pl.col("observed_at").dt.convert_time_zone("UTC"),
        saves=pl.lit(None, pl.Int64),
        engagements=pl.col("likes") + pl.col("comments") + pl.col("shares").fill_null(0),
        ingest_id=pl.lit("fixture"),
        source_row=pl.lit(1),
    )
    snapshots = snapshots.with_columns(
        observed_date=pl.col("observed_at").dt.convert_time_zone("Asia/Shanghai").dt.date()
    )
    days = []
    for acct, (start, end) in FOLLOWERS.items():
        plat = next(a[0] for a in ACCOUNTS if a[1] == acct)
        days.append((plat, acct, city_of[acct], date(2026, 10, 1), start))
        days.append((plat, acct, city_of[acct], date(2026, 11, 1), end))
        days.append((plat, acct, city_of[acct], last_day, end + 1))
    account_daily = pl.DataFrame(
        days, schema=["platform", "account_id", "city_code", "date_day", "followers"], orient="row"
    )
    topics = pl.DataFrame(
        [
            ("t1", "douyin", "成都", "510100", date(2026, 9, 30), 1_000, 10, 0),
            ("t1", "douyin", "成都", "510100", date(2026, 10, 31), 6_000, 60, 2),
            ("t2", "douyin", "淄博烧烤", "370300", date(2026, 10, 15), 3_100, 31, 1),
        ],
        schema=[
            "topic_key",
            "platform",
            "topic",
            "city_code",
            "date_day",
            "reads",
            "discussions",
            "hot_search_hits",
        ],
        orient="row",
    )
    cities = pl.DataFrame(
        {
            "city_code": ["510100", "610100", "370300"],
            "city_name_zh": ["成都市", "西安市", "淄博市"],
            "city_name_en": ["Chengdu", "Xi'an", "Zibo"],
        }
    )
    keywords = pl.DataFrame({"city_code": ["510100"], "keyword": ["成都"]})
    exports = [(a[0], a[1], local(d.year, d.month, d.day)) for a in ACCOUNTS for d in [empty_exports_on] if d]
    ingests = pl.DataFrame(
        [(f"empty-{p}-{a}", p, a, at, "landed", 0) for p, a, at in exports],
        schema={
            "ingest_id": pl.String,
            "platform": pl.String,
            "account_id": pl.String,
            "observed_at": pl.Datetime("us", "UTC"),
            "status": pl.String,
            "rows_landed": pl.Int64,
        },
        orient="row",
    )
    with duckdb.connect(str(path)) as con:
        for name, frame in {
            "dim_official_account": acc.filter(pl.col("account_type") == "official"),
            "dim_post": posts,
            "fct_post_snapshot": snapshots,
            "fct_account_daily": account_daily,
            "fct_topic_daily": topics,
            "dim_city": cities,
            "dim_city_keyword": keywords,
            "ops_ingests": ingests,
        }.items():
            con.register("frame", frame.to_arrow())
            con.execute(f"create table {name} as select * from frame")
            con.unregister("frame")
        con.execute(POST_DAYS_SQL)
        add_caption_signatures(con, posts)
    return path


# fct_post_daily as the build derives it from the snapshots (one per local day here)
POST_DAYS_SQL = """
create table fct_post_daily as
select
    snapshot.post_key, snapshot.platform, snapshot.account_id, snapshot.post_id,
    snapshot.observed_date as date_day, snapshot.views, snapshot.engagements,
    snapshot.views - coalesce(lag(snapshot.views) over post_days, 0) as views_delta,
    snapshot.engagements - coalesce(lag(snapshot.engagements) over post_days, 0) as engagements_delta,
    row_number() over post_days = 1
        and snapshot.observed_date > cast(timezone('Asia/Shanghai', post.published_at) as date)
        as carries_prior_accumulation
from fct_post_snapshot as snapshot
inner join dim_post as post on snapshot.post_key = post.post_key
window post_days as (partition by snapshot.platform, snapshot.post_id order by snapshot.observed_date)
"""


def add_caption_signatures(con: duckdb.DuckDBPyConnection, posts: pl.DataFrame) -> None:
    """The published fct_post_caption_signature rows of ``posts`` (platform, post_id, title, text);
    the fixture's post keys are its post ids."""
    signatures = homogeneity.caption_signatures(posts).select(  # noqa: F841 - read by name below
        post_key=pl.col("post_id"), signature=pl.col("signature")
    )
    con.execute("create table if not exists fct_post_caption_signature as select * from signatures limit 0")
    con.execute("insert into fct_post_caption_signature select * from signatures")
