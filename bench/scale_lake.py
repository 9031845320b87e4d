"""Bench-only: a lake at warehouse scale, written set-wise by DuckDB in the shape landing writes.

Going through ``citypulse sample`` + ``citypulse land`` at 10M observations would take hours here
(landing the 455 files of a 7-city sample already takes minutes), so the warehouse, serving and
evaluation measurements write the lake directly: the canonical entities (``citypulse.lake.schema``),
one parquet file per ingest under ``<entity>/platform=<p>/<ingest_id>.parquet``, and a ledger entry
per ingest. The shape is the one that matters to the warehouse:

- a registry of ``cities`` cities × 7 platforms, one official account each, plus unregistered media
  and influencer accounts; posts per account skewed (a few accounts post most);
- heavy-tailed metrics (views log-normal; likes/comments/shares proportional with noise), and NULL
  where a platform does not report a metric (saves on Weibo/X, impressions on domestic platforms…);
- Chinese titles and text with #话题# marks naming the city, as varied as real captions (a template,
  a place, twelve random characters), a tenth of them repeating one of the month's campaign captions
  verbatim (matrix reposts);
- every post observed repeatedly by daily crawls (day 1, 2, 3, 5 and 8 after publishing), with
  cumulative numbers growing between observations;
- daily account observations, account daily reports for official accounts, daily topic reads.

Deterministic: every draw is a hash of the row's identity, so the same arguments give the same rows.
"""

from __future__ import annotations

import csv
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from citypulse.lake.schema import full_schema
from citypulse.platforms import PLATFORMS
from citypulse.settings import REPO_ROOT, Settings

OBSERVATION_OFFSETS_DAYS = (1, 2, 3, 5, 8)
_CHARS = "安宁华阳江山清平临泉兴德云海明嘉长新南北东西白金"
_TEMPLATES = [
    "周末打卡{c}，小吃太绝了",
    "本地人推荐：{c}美食地图",
    "{c}的夜景真的绝",
    "航拍{c}：山水之间",
    "{c}非遗手艺人的一天",
    "在{c}听一场城市音乐会",
    "{c}科技馆新展开放",
    "跟着镜头游{c}古城",
]
_PLACES = [
    "古城",
    "老街",
    "夜市",
    "博物馆",
    "湿地公园",
    "非遗工坊",
    "滨江绿道",
    "美食街",
    "石刻",
    "温泉",
    "书院",
    "茶园",
]
CAMPAIGN_SHARE = 0.1  # posts that repeat one of their city's campaign captions verbatim (matrix reposts)
CAMPAIGNS = 20  # campaign captions per month
NOISE_CHARS = 12  # random CJK characters per caption: captions differ as real ones do


def _noise_sql(salt: int) -> str:
    """``NOISE_CHARS`` characters drawn from the first 3,000 CJK ideographs by ``caption_seed``."""
    return " || ".join(
        f"chr(19968 + cast(floor(3000 * u(caption_seed, {salt} + {20 + k})) as int))"
        for k in range(NOISE_CHARS)
    )


_SQL_TYPES = {
    "String": "varchar",
    "Int64": "bigint",
    "Float64": "double",
    "Boolean": "boolean",
    "Date": "date",
}


@dataclass(frozen=True)
class Batch:
    """One month of posts and the daily crawls that observe them."""

    month: date  # first day of the month
    observations: int  # approximate post observations (posts = observations / 5)
    tag: str  # distinguishes this batch's ingests from another batch's crawls of the same day


def _sql_type(dtype: object) -> str:
    name = type(dtype).__name__
    if name == "Datetime":
        return "timestamptz"
    return _SQL_TYPES[name]


def _conform(con: duckdb.DuckDBPyConnection, entity: str, schema: dict[str, Any] | None = None) -> None:
    """``bench_<entity>`` from ``raw_<entity>``: the entity's columns in contract order, typed, and
    typed NULLs for columns the generator does not make (as ``citypulse.lake.schema.conform`` does)."""
    present = {row[0] for row in con.execute(f"describe raw_{entity}").fetchall()}
    columns = ", ".join(
        f'cast({f"{chr(34)}{c}{chr(34)}" if c in present else "null"} as {_sql_type(t)}) as "{c}"'
        for c, t in (schema or full_schema(entity)).items()
    )
    con.execute(f"create or replace table bench_{entity} as select {columns} from raw_{entity}")


def write_registry(folder: Path, cities: int) -> dict[str, Path]:
    """cities.csv, accounts.csv and city_keywords.csv for ``cities`` cities (the 7 real ones first)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (REPO_ROOT / "dbt_project" / "seeds" / "cities.csv").open(encoding="utf-8") as fh:
        real = list(csv.DictReader(fh))
    rows = real[:cities]
    for i in range(len(rows), cities):
        name = _CHARS[(i * 7) % len(_CHARS)] + _CHARS[(i * 13 + 5) % len(_CHARS)] + "市"
        rows.append(
            {
                "city_code": f"{800000 + i:06d}",
                "city_name_zh": name,
                "city_name_en": f"Bench City {i}",
                "province_zh": "基准省",
                "admin_level": "prefecture",
                "region": "domestic",
            }
        )
    paths = {name: folder / f"{name}.csv" for name in ("cities", "accounts", "city_keywords")}
    with paths["cities"].open("w", encoding="utf-8", newline="") as fh:
        city_writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        city_writer.writeheader()
        city_writer.writerows(rows)
    with paths["accounts"].open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["platform", "account_id", "account_name", "city_code", "account_type", "valid_from", "valid_to"]
        )
        for c, city in enumerate(rows):
            short = city["city_name_zh"].rstrip("市区县")
            for p, platform in enumerate(PLATFORMS):
                writer.writerow(
                    [
                        platform,
                        _account_id(c, p, 0),
                        f"{short}文旅",
                        city["city_code"],
                        "official",
                        "2024-01-01",
                        "",
                    ]
                )
    with paths["city_keywords"].open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["city_code", "keyword"])
        for city in rows:
            writer.writerow([city["city_code"], city["city_name_zh"].rstrip("市区县")])
    return paths


def _account_id(city: int, platform: int, kind: int) -> str:
    # kind 0 official (registered), 1 media, 2 influencer (unregistered: classified by heuristics)
    return f"{7 + kind}{platform}{city:05d}{(city * 7919 + platform * 104729 + kind) % 100000:05d}"


_ACCOUNTS_SQL = """
create or replace table bench_accounts as
with city_rows as (
    select row_number() over () - 1 as c, city_code, rtrim(city_name_zh, '市区县') as short, province_zh
    from read_csv('{cities}', all_varchar = true, header = true)
),
platforms as (
    select unnest(range({n_platforms})) as p, unnest({platforms}) as platform
),
kinds as (select unnest([0, 1, 2]) as kind)
select
    row_number() over (order by c, p, kind) - 1 as a,
    city_code, short, province_zh, platform, kind,
    cast(7 + kind as varchar) || cast(p as varchar) || lpad(cast(c as varchar), 5, '0')
        || lpad(cast((c * 7919 + p * 104729 + kind) % 100000 as varchar), 5, '0') as account_id,
    short || ['文旅', '日报', '探店达人'][kind + 1] as account_name,
    cast(1000 + pow(10, 3 + 3 * u(c * 10 + p, kind)) as bigint) as base_followers
from city_rows cross join platforms cross join kinds
"""

_POSTS_SQL = """
create or replace table raw_post_observations as
with posts as (
    select
        i,
        cast(floor({n_accounts} * pow(u(i, {salt} + 1), 1.8)) as bigint) as a,
        timestamptz '{month_start} 00:00:00+08' + to_microseconds(cast(u(i, {salt} + 2) * {month_us} as bigint))
            as published_at,
        -- log-normal views (heavy tail): z ~ N(0, 1) by Box-Muller from two hash draws
        exp(4.5 + 2.2 * sqrt(-2 * ln(u(i, {salt} + 3))) * cos(2 * pi() * u(i, {salt} + 4))) as views_final,
        0.01 + 0.06 * u(i, {salt} + 5) as like_rate,
        0.002 + 0.01 * u(i, {salt} + 6) as comment_rate,
        0.001 + 0.01 * u(i, {salt} + 7) as share_rate,
        -- a campaign caption (negative seed: one of the month's few) or one of the post's own
        case when u(i, {salt} + 11) < {campaign_share} then -1 - cast(floor({campaigns} * u(i, {salt} + 12)) as bigint)
             else i end as caption_seed
    from range({n_posts}) as t(i)
),
captioned as (
    select
        *,
        cast(floor(8 * u(caption_seed, {salt} + 8)) as int) + 1 as template,
        {places}[cast(floor({n_places} * u(caption_seed, {salt} + 13)) as int) + 1] as place,
        {noise} as noise
    from posts
),
observed as (
    select captioned.*, unnest({offsets}) as offset_days from captioned
),
rows as (
    select
        acc.platform,
        acc.account_id,
        acc.account_name,
        cast({batch_no} as varchar) || lpad(cast(i as varchar), 12, '0') as post_id,
        published_at,
        replace({templates}[template], '{{c}}', acc.short) as headline,
        acc.short,
        acc.province_zh,
        place,
        noise,
        cast(date_trunc('day', published_at at time zone 'Asia/Shanghai') as date) + offset_days as crawl_day,
        offset_days,
        views_final, like_rate, comment_rate, share_rate, i
    from observed join bench_accounts acc using (a)
),
measured as (
    select
        platform, account_id, account_name, post_id,
        'https://example.invalid/' || platform || '/' || post_id as post_url,
        published_at,
        '【' || headline || '】' as title,
        '【' || headline || '】#' || short || '文旅# ' || short || place || '：' || noise as text,
        case when platform in ('douyin', 'tiktok', 'youtube') then 'video'
             when u(i, {salt} + 9) < 0.3 then 'video' else 'image' end as post_type,
        case when platform in ('douyin', 'tiktok', 'youtube') then round(15 + 300 * u(i, {salt} + 10)) end
            as duration_s,
        cast(strftime(crawl_day, '%Y-%m-%d') || ' 02:00:00+08' as timestamptz) as observed_at,
        cast(floor(views_final * (1 - exp(-offset_days / 2.0))) as bigint) as views_now,
        like_rate, comment_rate, share_rate, crawl_day,
        short, province_zh
    from rows
),
final as (
    select
        platform, account_id, account_name, post_id, post_url, published_at, title, text, post_type,
        duration_s, observed_at,
        case when platform = 'weibo' then null else views_now end as views,
        cast(floor(views_now * like_rate) as bigint) as likes,
        cast(floor(views_now * comment_rate) as bigint) as comments,
        cast(floor(views_now * share_rate) as bigint) as shares,
        case when platform in ('weibo', 'x') then null else cast(floor(views_now * like_rate / 4) as bigint) end
            as saves,
        case when platform in ('youtube', 'x', 'facebook', 'instagram') then cast(views_now * 3 as bigint) end
            as impressions,
        case when platform in ('facebook', 'instagram') then cast(views_now * 0.7 as bigint) end as reach,
        case when platform = 'douyin' then cast(floor(views_now / 2000) as bigint) end as followers_gained,
        case when platform in ('douyin', 'tiktok', 'youtube') then 0.1 + 0.5 * u(hash(post_id), 1) end
            as completion_rate,
        cast(null as varchar) as source_keyword,
        replace(province_zh, '省', '') as ip_location,
        sha256(platform || '|' || cast(crawl_day as varchar) || '|{tag}') as ingest_id,
        cast(row_number() over (partition by platform, crawl_day order by post_id) as bigint) as source_row
    from measured
)
select * from final
"""

_ACCOUNT_ROWS_SQL = """
create or replace table bench_days as
select cast(d as date) as crawl_day from range(date '{first_day}', date '{last_day}', interval 1 day) t(d);

create or replace table raw_account_observations as
select * from (
    select
        platform, account_id, account_name,
        kind < 2 as verified,
        ['政府', '媒体', '个人'][kind + 1] as verified_type,
        cast(base_followers * (1 + 0.002 * (crawl_day - date '2026-01-01')) as bigint) as followers,
        cast(100 + 50 * u(a, 1) as bigint) as following,
        cast(200 + (crawl_day - date '2026-01-01') as bigint) as posts_count,
        cast(base_followers * 20 as bigint) as likes_total,
        short || '官方账号' as description,
        province_zh as location,
        cast(strftime(crawl_day, '%Y-%m-%d') || ' 02:00:00+08' as timestamptz) as observed_at,
        sha256(platform || '|' || cast(crawl_day as varchar) || '|{tag}') as ingest_id,
        cast(row_number() over (partition by platform, crawl_day order by account_id) as bigint) as source_row
    from bench_accounts cross join bench_days
);

create or replace table raw_account_daily as
select * from (
    select
        platform, account_id, crawl_day - 1 as date,
        cast(base_followers * (1 + 0.002 * (crawl_day - 1 - date '2026-01-01')) as bigint) as followers,
        cast(base_followers * 0.002 + 5 * u(a, crawl_day - date '2026-01-01') as bigint) as followers_gained,
        cast(3 * u(a + 1, crawl_day - date '2026-01-01') as bigint) as followers_lost,
        cast(base_followers * (0.5 + u(a + 2, crawl_day - date '2026-01-01')) as bigint) as views,
        cast(base_followers * 0.01 as bigint) as profile_views,
        cast(base_followers * 0.02 as bigint) as likes,
        cast(base_followers * 0.002 as bigint) as comments,
        cast(base_followers * 0.001 as bigint) as shares,
        sha256(platform || '|' || cast(crawl_day as varchar) || '|{tag}') as ingest_id,
        cast(row_number() over (partition by platform, crawl_day order by account_id) as bigint) as source_row
    from bench_accounts cross join bench_days
    where kind = 0
);

create or replace table raw_topic_observations as
select * from (
    select
        'weibo' as platform,
        short || '文旅' as topic,
        '#' || short || '文旅#' as topic_raw,
        cast(base_followers * 100 * (crawl_day - date '2026-01-01') as bigint) as reads,
        cast(base_followers * (crawl_day - date '2026-01-01') as bigint) as discussions,
        cast(base_followers * 2 * (crawl_day - date '2026-01-01') as bigint) as interactions,
        cast(base_followers / 100 as bigint) as originals,
        case when u(a, crawl_day - date '2026-01-01') < 0.02 then cast(1 + 49 * u(a + 3, 1) as bigint) end
            as hot_rank,
        u(a, crawl_day - date '2026-01-01') < 0.02 as is_hot_search,
        cast(strftime(crawl_day, '%Y-%m-%d') || ' 02:00:00+08' as timestamptz) as observed_at,
        sha256('weibo|topics|' || cast(crawl_day as varchar) || '|{tag}') as ingest_id,
        cast(row_number() over (partition by crawl_day order by short) as bigint) as source_row
    from bench_accounts cross join bench_days
    where kind = 0 and platform = 'weibo'
);
"""

_LEDGER_SQL = """
create or replace table raw_ingests as
with files as (
    select ingest_id, platform, min(observed_at) as observed_at, count(*) as n from (
        select ingest_id, platform, observed_at from bench_post_observations
        union all select ingest_id, platform, observed_at from bench_account_observations
        union all select ingest_id, platform, cast(date + 1 as timestamptz) from bench_account_daily
        union all select ingest_id, platform, observed_at from bench_topic_observations
    ) group by ingest_id, platform
)
select * from (
    select
        ingest_id,
        'bench/' || platform || '/' || strftime(observed_at, '%Y%m%d') || '_' || left(ingest_id, 8) || '.csv'
            as original_name,
        platform,
        'bench_synthetic' as adapter,
        n * 300 as size_bytes,
        'utf-8' as encoding,
        observed_at,
        'filename' as observed_at_source,
        observed_at + interval 1 hour as landed_at,
        'landed' as status,
        n as rows_in, n as rows_landed, 0 as rows_rejected,
        cast(null as varchar) as error,
        'raw/' || platform || '/' || left(ingest_id, 16) as raw_path
    from files
)
"""


def _export(con: duckdb.DuckDBPyConnection, table: str, target: Path, by_platform: bool) -> int:
    """Write ``table`` as one parquet file per ingest (``target/platform=<p>/<ingest_id>.parquet``)."""
    staging = target.parent / f".{target.name}.staging"
    shutil.rmtree(staging, ignore_errors=True)
    partition = "platform, ingest_id" if by_platform else "ingest_id"
    con.execute(
        f"copy {table} to '{staging}' (format parquet, compression zstd, partition_by ({partition}), "
        "write_partition_columns true)"
    )
    files = 0
    for path in sorted(staging.rglob("*.parquet")):
        parts = dict(p.split("=", 1) for p in path.relative_to(staging).parts[:-1])
        folder = target / f"platform={parts['platform']}" if by_platform else target
        folder.mkdir(parents=True, exist_ok=True)
        suffix = "" if path.stem == "data_0" else f".{path.stem}"
        path.replace(folder / f"{parts['ingest_id']}{suffix}.parquet")
        files += 1
    shutil.rmtree(staging, ignore_errors=True)
    return files


def write_batch(settings: Settings, cities_csv: Path, batch: Batch, batch_no: int) -> dict[str, int]:
    """Write one month's posts, their crawls, account and topic rows, and the ledger into the lake."""
    from datetime import timedelta

    next_month = (batch.month.replace(day=28) + timedelta(days=4)).replace(day=1)
    last_day = next_month + timedelta(days=max(OBSERVATION_OFFSETS_DAYS) + 1)
    month_us = (next_month - batch.month).days * 86_400_000_000
    n_posts = max(1, batch.observations // len(OBSERVATION_OFFSETS_DAYS))
    with duckdb.connect() as con:
        con.execute("set timezone = 'UTC'")
        con.execute("set enable_progress_bar = false")
        con.execute("create macro u(a, b) as ((hash(a, b) % 1000000)::double + 0.5) / 1000000.0")
        con.execute(
            _ACCOUNTS_SQL.format(cities=cities_csv, n_platforms=len(PLATFORMS), platforms=list(PLATFORMS))
        )
        n_accounts = con.execute("select count(*) from bench_accounts").fetchone()[0]  # type: ignore[index]
        con.execute(
            _POSTS_SQL.format(
                n_accounts=n_accounts,
                salt=batch_no * 100,
                month_start=batch.month.isoformat(),
                month_us=month_us,
                n_posts=n_posts,
                offsets=list(OBSERVATION_OFFSETS_DAYS),
                batch_no=10 + batch_no,
                templates=_TEMPLATES,
                places=_PLACES,
                n_places=len(_PLACES),
                noise=_noise_sql(batch_no * 100),
                campaign_share=CAMPAIGN_SHARE,
                campaigns=CAMPAIGNS,
                tag=batch.tag,
            )
        )
        con.execute(
            _ACCOUNT_ROWS_SQL.format(
                first_day=batch.month.isoformat(), last_day=last_day.isoformat(), tag=batch.tag
            )
        )
        for entity in ("post_observations", "account_observations", "account_daily", "topic_observations"):
            _conform(con, entity)
        con.execute(_LEDGER_SQL)
        _conform(con, "ingests", _ingest_schema())
        counts = {
            "post_observations": _export(
                con, "bench_post_observations", settings.lake / "post_observations", True
            ),
            "account_observations": _export(
                con, "bench_account_observations", settings.lake / "account_observations", True
            ),
            "account_daily": _export(con, "bench_account_daily", settings.lake / "account_daily", True),
            "topic_observations": _export(
                con, "bench_topic_observations", settings.lake / "topic_observations", True
            ),
            "ingests": _export(con, "bench_ingests", settings.ingests, False),
        }
        rows = con.execute("select count(*) from bench_post_observations").fetchone()[0]  # type: ignore[index]
    return {"post_observation_rows": int(rows), **{f"files_{name}": n for name, n in counts.items()}}


def _ingest_schema() -> dict[str, object]:
    from citypulse.lake.schema import INGESTS

    return dict(INGESTS)
