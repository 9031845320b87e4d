"""A small, realistic serving.duckdb with exactly the mart tables and columns of docs/marts-contract.md.

Used until (and besides) the real warehouse build: the dashboards must render on it. Rows are made
set-wise in DuckDB from the committed city seed, deterministic for a ``variant`` (so repeated publishes
produce different but equally valid files).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from citypulse.settings import REPO_ROOT

CITIES_CSV = REPO_ROOT / "dbt_project" / "seeds" / "cities.csv"

_SQL = """
create table dim_city as
select cast(city_code as varchar) as city_code, city_name_zh, city_name_en, province_zh, admin_level
from read_csv('{cities}', header = true, all_varchar = true);

create table dim_platform as
select * from (values
    ('douyin', '抖音', 'domestic'), ('weibo', '微博', 'domestic'), ('youtube', 'YouTube', 'overseas'),
    ('x', 'X', 'overseas'), ('facebook', 'Facebook', 'overseas'), ('instagram', 'Instagram', 'overseas'),
    ('tiktok', 'TikTok', 'overseas')
) as t(platform, platform_name_zh, region);

create table dim_date as
select
    cast(d as date) as date_day,
    year(d) as year,
    month(d) as month,
    strftime(d, '%Y-%m') as year_month,
    dayofweek(d) as day_of_week,
    weekofyear(d) as iso_week
from range(date '2026-07-01', date '2026-10-01', interval 1 day) as r(d);

create table dim_account as
with types as (
    select * from (values (0, 'official'), (1, 'media'), (2, 'influencer'), (3, 'personal')) as t(i, account_type)
)
select
    md5(p.platform || ':' || c.city_code || ':' || t.account_type) as account_key,
    p.platform,
    c.city_code || '_' || t.account_type as account_id,
    case when t.account_type = 'personal' then '用户' || substr(md5(c.city_code || p.platform), 1, 6)
         else c.city_name_zh || case t.account_type when 'official' then '文旅' when 'media' then '日报'
                                    else '探店达人' end end as account_name,
    t.account_type,
    case when t.account_type = 'official' then 'registry' else 'heuristic' end as classification_source,
    c.city_code,
    t.account_type in ('official', 'media') as verified,
    cast(10000 + (hash(c.city_code, p.platform, t.account_type, {variant}) % 500000) as bigint) as followers,
    timestamptz '2026-01-01 00:00:00+00' as valid_from,
    cast(null as timestamptz) as valid_to,
    true as is_current
from dim_city c cross join dim_platform p cross join types t
where p.platform in ('douyin', 'weibo', 'youtube', 'x');

create table dim_post as
with numbered as (
    select a.*, n.n
    from dim_account a cross join range(6) as n(n)
)
select
    md5(account_key || ':' || n) as post_key,
    platform,
    account_id || '_p' || n as post_id,
    account_id,
    account_key,
    city_code,
    timestamptz '2026-07-01 02:00:00+00' + to_days(cast((hash(account_key, n) % 85) as integer)) as published_at,
    cast((timestamptz '2026-07-01 02:00:00+00' + to_days(cast((hash(account_key, n) % 85) as integer)))
         at time zone 'Asia/Shanghai' as date) as published_date,
    account_name || '：' || (['城市漫游', '美食打卡', '夜景航拍', '科技展会', '非遗音乐', '古城故事'])[n + 1] as title,
    '#城市旅游# 欢迎来玩' as text,
    'https://example.invalid/' || platform || '/' || account_id || '_p' || n as post_url,
    case when platform in ('douyin', 'youtube') then 'video' else 'post' end as post_type,
    (['BGM', 'Eating', 'Scenery', 'Technology', 'Scenery', 'Eating'])[cast(hash(account_key, n, {variant}) % 6 as integer) + 1]
        as best_theme,
    cast(null as varchar) as focus_theme,
    account_id like '%official' as is_official
from numbered;

create table fct_post_daily as
with days as (
    select p.post_key, p.platform, p.account_id, p.city_code, p.published_date + cast(k as integer) as date_day,
           cast(k as integer) as k
    from dim_post p cross join range(4) as r(k)
),
cumulative as (
    select
        *,
        cast((hash(post_key, {variant}) % 20000 + 500) * (k + 1) as bigint) as views,
        cast((hash(post_key, 'l') % 900 + 20) * (k + 1) as bigint) as likes,
        cast((hash(post_key, 'c') % 90 + 2) * (k + 1) as bigint) as comments,
        cast((hash(post_key, 's') % 60 + 1) * (k + 1) as bigint) as shares,
        cast((hash(post_key, 'v') % 40) * (k + 1) as bigint) as saves
    from days
)
select
    post_key, platform, account_id, city_code, date_day,
    case when platform = 'x' and k = 0 then null else views end as views,
    likes, comments, shares, saves,
    likes + comments + shares as engagements,
    case when platform = 'x' and k = 0 then null
         else views - coalesce(lag(views) over w, 0) end as views_delta,
    likes - coalesce(lag(likes) over w, 0) as likes_delta,
    comments - coalesce(lag(comments) over w, 0) as comments_delta,
    shares - coalesce(lag(shares) over w, 0) as shares_delta,
    saves - coalesce(lag(saves) over w, 0) as saves_delta,
    (likes + comments + shares) - coalesce(lag(likes + comments + shares) over w, 0) as engagements_delta,
    false as carries_prior_accumulation,
    false as is_correction
from cumulative
window w as (partition by post_key order by date_day);

create table fct_post_snapshot as
select
    f.post_key, f.platform, d.post_id, f.account_id,
    cast(f.date_day as timestamptz) + interval 15 hour as observed_at,
    f.date_day as observed_date,
    f.views, f.likes, f.comments, f.shares, f.saves,
    cast(null as bigint) as impressions, cast(null as bigint) as reach,
    f.engagements,
    md5('ingest:' || f.date_day) as ingest_id
from fct_post_daily f join dim_post d using (post_key);

create table fct_account_daily as
select
    a.platform, a.account_id, a.city_code, d.date_day,
    a.followers + cast(hash(a.account_key, d.date_day) % 300 as bigint) as followers,
    cast(hash(a.account_key, d.date_day, 'g') % 400 as bigint) as followers_gained,
    case when a.platform = 'weibo' then null
         else cast(hash(a.account_key, d.date_day, 'x') % 120 as bigint) end as followers_lost,
    cast(hash(a.account_key, d.date_day, 'v') % 90000 as bigint) as views,
    cast(hash(a.account_key, d.date_day, 'p') % 3000 as bigint) as profile_views,
    cast(hash(a.account_key, d.date_day, 'l') % 5000 as bigint) as likes,
    cast(hash(a.account_key, d.date_day, 'c') % 400 as bigint) as comments,
    cast(hash(a.account_key, d.date_day, 's') % 300 as bigint) as shares
from dim_account a cross join dim_date d
;

create table fct_account_audience as
with buckets as (
    select * from (values
        ('city', 'London, UK'), ('city', 'New York, NY, USA'), ('city', 'Sydney NSW, Australia'),
        ('city', 'Toronto, ON, Canada'), ('country', 'US'), ('country', 'GB'), ('age', '18–24 years')
    ) as t(dimension, bucket)
),
periods as (
    select * from (values (date '2026-07-01', date '2026-07-31'), (date '2026-08-01', date '2026-08-31'))
        as t(period_start, period_end)
),
rows as (
    select
        a.account_key, a.platform, a.account_id, a.city_code, p.period_start, p.period_end, b.dimension, b.bucket,
        'views' as metric,
        cast(100 + hash(a.account_key, p.period_start, b.bucket) % 50000 as double) as value
    from dim_account a cross join periods p cross join buckets b
    where a.platform = 'youtube' and a.account_type = 'official'
)
select
    md5(platform || account_id || period_start || dimension || bucket || metric) as account_audience_key,
    account_key, platform, account_id, city_code, period_start, period_end, dimension, bucket, metric,
    -- the age band is exported as a share only (value unknown)
    case when dimension = 'age' then null else value end as value,
    value / sum(value) over (partition by account_key, period_start, dimension) as share,
    timestamptz '2026-09-01 00:00:00+00' as observed_at,
    md5('audience:' || account_id || period_start) as ingest_id
from rows;

create table dim_topic as
select md5(p.platform || c.city_code || t.topic) as topic_key, p.platform, c.city_name_zh || t.topic as topic,
       c.city_code
from dim_city c
cross join (select * from dim_platform where platform in ('douyin', 'weibo')) p
cross join (values ('文旅'), ('美食'), ('夜景')) as t(topic);

create table bridge_post_topic as
select p.post_key, t.topic_key
from dim_post p join dim_topic t on t.platform = p.platform and t.city_code = p.city_code
where hash(p.post_key, t.topic_key) % 3 = 0;

create table fct_topic_daily as
select
    t.topic_key, t.platform, t.topic, t.city_code, d.date_day,
    cast(1000000 + hash(t.topic_key, {variant}) % 90000000 + d.day_of_week * 10000 as bigint) as reads,
    cast(1000 + hash(t.topic_key, 'd') % 90000 as bigint) as discussions,
    cast(hash(t.topic_key, d.date_day, 'i') % 50000 as bigint) as interactions,
    cast(hash(t.topic_key, d.date_day, 'o') % 500 as bigint) as originals,
    case when hash(t.topic_key, d.date_day) % 5 = 0 then cast(1 + hash(t.topic_key, d.date_day) % 50 as bigint)
         end as best_hot_rank,
    case when hash(t.topic_key, d.date_day) % 5 = 0 then 1 + cast(hash(t.topic_key, 'h') % 3 as bigint)
         else 0 end as hot_search_hits
from dim_topic t cross join dim_date d;

create table eval_run as
select
    'run_' || replace(m, '-', '') || '_' || suffix as run_id,
    m as period,
    'v1' as methodology_version,
    md5('config v1') as config_sha256,
    cast(m || '-01' as timestamptz) + interval 39 day as input_cutoff,
    'a1b2c3d' as git_commit,
    cast(m || '-01' as timestamptz) + interval 40 day as started_at,
    cast(m || '-01' as timestamptz) + interval 40 day + interval 3 minute as finished_at,
    'succeeded' as status,
    official as is_official
from (values ('2026-07', 'a', false), ('2026-07', 'b', true), ('2026-08', 'a', true), ('2026-09', 'a', true))
    as t(m, suffix, official);

create table eval_input as
select r.run_id, c.city_code, p.platform, true as has_account, 31 as days,
       cast(hash(r.run_id, c.city_code, p.platform) % 60 + 5 as bigint) as posts,
       cast(hash(r.run_id, c.city_code, p.platform, 'v') % 9000000 as bigint) as views,
       cast(hash(r.run_id, c.city_code, p.platform, 'm') % 900000 as bigint) as peak_views,
       cast(hash(r.run_id, c.city_code, p.platform, 'e') % 300000 as bigint) as engagements,
       cast(100000 as bigint) as followers_start,
       cast(100000 + hash(r.run_id, c.city_code, p.platform) % 5000 as bigint) as followers_end,
       cast(null as bigint) as topic_reach
from eval_run r cross join dim_city c cross join dim_platform p;

create table eval_platform_score as
select run_id, city_code, platform,
       round(100.0 * (hash(run_id, city_code, platform, {variant}) % 1000) / 999, 2) as score,
       cast(null as bigint) as rank
from eval_input;
create or replace table eval_platform_score as
select run_id, city_code, platform, score,
       cast(rank() over (partition by run_id, platform order by score desc) as bigint) as rank
from eval_platform_score;

create table eval_dimension_score as
select s.run_id, s.city_code, s.platform, d.dimension,
       round(100.0 * (hash(s.run_id, s.city_code, s.platform, d.dimension) % 1000) / 999, 2) as score
from eval_platform_score s
cross join (values ('reach'), ('influence'), ('activity'), ('engagement')) as d(dimension);

create table eval_indicator_score as
select s.run_id, s.city_code, s.platform, i.indicator, 1.0 as raw, 0.5 as x, 0.1 as lower, 0.9 as upper,
       s.score as score, 1.0 / 7 as weight
from eval_platform_score s
cross join (values ('a'), ('r'), ('t'), ('k'), ('g'), ('e'), ('q')) as i(indicator);

create table eval_composite_score as
with scores as (
    select s.run_id, k.composite, s.city_code, round(avg(s.score), 2) as score
    from eval_platform_score s join dim_platform p using (platform)
    cross join (values ('domestic'), ('overseas'), ('overall')) as k(composite)
    where k.composite = 'overall' or k.composite = p.region
    group by 1, 2, 3
),
ranked as (
    select *, cast(rank() over (partition by run_id, composite order by score desc) as bigint) as rank
    from scores
)
select r.run_id, r.composite, r.city_code, r.score, r.rank,
       lag(r.rank) over (partition by r.composite, r.city_code order by e.period) - r.rank as rank_change
from ranked r join eval_run e using (run_id);

create table eval_supplementary as
select run_id, city_code, platform, 'official_search_share' as measure, '官方账号搜索占比' as measure_zh,
    0.42 as value
from eval_input
union all
select run_id, city_code, platform, 'diag_homogeneity', '内容同质化', 0.31 from eval_input
union all
select run_id, city_code, platform, 'diag_weekly_updated_share', '每周更新账号占比', 0.75 from eval_input;

create table eval_diag_clusters as
select run_id, city_code, platform, 'c' || city_code || '-1' as cluster_id, cast(3 as bigint) as cluster_size,
    cast(2 as bigint) as cluster_accounts, cast(k as bigint) as example_rank, '大足文旅' as account_name,
    '宝顶山石刻 夜游 #大足石刻#' as title, 'https://www.douyin.com/video/75' || k as post_url,
    '75' || k as post_id, timestamptz '2026-09-03 02:00:00+00' as published_at
from eval_input, range(1, 4) as r(k)
where platform = 'douyin';

create table eval_diag_opportunities as
select run_id, city_code, platform, '大足石刻申遗纪念日' as topic, date '2026-09-12' as trend_day,
    cast(1200000 as bigint) as reads, cast(1 as bigint) as hot_search_hits
from eval_input
where platform = 'weibo';

create table eval_diag_viral as
select run_id, city_code, platform, '成都文旅' as account_name, date '2026-09-18' as date_day,
    'https://www.douyin.com/video/7600' as post_url, '熊猫宝宝第一次看雪' as title, '7600' as post_id,
    cast(480000 as bigint) as views_growth, 52000.0 as views_p99, cast(31000 as bigint) as engagements_growth,
    4100.0 as engagements_p99
from eval_input
where platform = 'douyin';

create table ops_ingests as
select
    md5('file' || i) as ingest_id,
    (['douyin_works_', 'weibo_posts_', 'youtube_videos_', 'x_posts_'])[i % 4 + 1] || i || '.xlsx' as original_name,
    (['douyin', 'weibo', 'youtube', 'x'])[i % 4 + 1] as platform,
    (['douyin_creator_works', 'weibo_posts', 'youtube_studio', 'x_analytics'])[i % 4 + 1] as adapter,
    cast(20000 + i * 37 as bigint) as size_bytes,
    'utf-8' as encoding,
    timestamptz '2026-07-01 00:00:00+00' + to_days(i % 90) as observed_at,
    'filename' as observed_at_source,
    timestamptz '2026-07-01 03:00:00+00' + to_days(i % 90) as landed_at,
    case when i % 11 = 0 then 'quarantined' when i % 7 = 0 then 'duplicate' else 'landed' end as status,
    cast(100 + i as bigint) as rows_in,
    case when i % 11 = 0 then 0 else cast(95 + i as bigint) end as rows_landed,
    case when i % 11 = 0 then 0 else cast(5 as bigint) end as rows_rejected,
    case when i % 11 = 0 then (['表头无法识别', '文件编码无法解码'])[i % 2 + 1] end as error,
    'raw/x/' || md5('file' || i) as raw_path,
    cast((timestamptz '2026-07-01 03:00:00+00' + to_days(i % 90)) at time zone 'Asia/Shanghai' as date)
        as landed_date
from range(60) as r(i);

create table ops_rejects as
select
    i.ingest_id, cast(k + 2 as bigint) as source_row,
    (['播放量', '发布时间', '点赞数'])[k % 3 + 1] as "column",
    (['12,3万x', '昨天', '-5'])[k % 3 + 1] as value,
    (['不是数字', '无法解析的日期', '负数计数'])[k % 3 + 1] as reason,
    '{{}}' as record,
    i.platform, i.original_name
from ops_ingests i cross join range(5) as r(k)
where i.status = 'landed';

create table ops_quality_results as
select
    'qrun_' || (k % 3) as run_id,
    case when k % 2 = 0 then 'dbt' else 'gx' end as check_source,
    case when k % 2 = 0 then 'marts' else 'lake_post_observations' end as suite,
    (['unique_dim_post_post_key', 'not_null_fct_post_daily_date_day', 'views_non_negative',
      'relationships_dim_account_city', 'completion_rate_between_0_1'])[k % 5 + 1] as check_name,
    case when k % 9 = 4 then 'fail' when k % 13 = 6 then 'warn' else 'pass' end as status,
    case when k % 9 = 4 then cast(3 as bigint) else cast(0 as bigint) end as failing_rows,
    '' as details,
    timestamptz '2026-09-30 20:00:00+00' - to_hours(k) as checked_at
from range(30) as r(k);

create table ops_freshness as
select a.platform, a.account_id, a.city_code,
       timestamptz '2026-09-30 00:00:00+00' - to_days(cast(hash(a.account_key) % 20 as integer)) as last_observed_at,
       cast(hash(a.account_key) % 20 as bigint) as days_since_observed,
       hash(a.account_key) % 20 > 7 as is_stale
from dim_account a;

-- the serving marts, derived from the facts above as dbt derives them (fct_city_platform_daily.sql,
-- fct_post_latest.sql, fct_city_theme_daily.sql)
create table fct_city_platform_daily as
select
    md5(f.date_day || f.platform || coalesce(f.city_code, '') || coalesce(a.account_type, 'unknown'))
        as city_platform_day_key,
    f.date_day, f.platform, f.city_code, coalesce(a.account_type, 'unknown') as account_type,
    count(*) as post_days,
    cast(sum(case when d.published_date = f.date_day then 1 else 0 end) as bigint) as posts_published,
    cast(sum(f.views_delta) as bigint) as views_delta,
    cast(sum(f.likes_delta) as bigint) as likes_delta,
    cast(sum(f.comments_delta) as bigint) as comments_delta,
    cast(sum(f.shares_delta) as bigint) as shares_delta,
    cast(sum(f.saves_delta) as bigint) as saves_delta,
    cast(sum(f.engagements_delta) as bigint) as engagements_delta,
    cast(sum(case when f.views_delta is not null then f.engagements_delta end) as bigint)
        as engagements_delta_with_views,
    cast(sum(case when f.is_correction then 1 else 0 end) as bigint) as corrections
from fct_post_daily f
left join dim_post d on d.post_key = f.post_key
left join dim_account a on a.account_key = d.account_key and a.is_current
group by all;

create table fct_post_latest as
select
    d.post_key, d.platform, d.post_id, d.account_id, d.account_key, a.account_name,
    coalesce(a.account_type, 'unknown') as account_type, d.city_code, d.published_date, d.title, d.post_url,
    d.best_theme, l.date_day as last_observed_date, l.views, l.likes, l.comments, l.shares, l.saves, l.engagements
from dim_post d
left join (
    select *, row_number() over (partition by post_key order by date_day desc) as recency from fct_post_daily
) l on l.post_key = d.post_key and l.recency = 1
left join dim_account a on a.account_key = d.account_key and a.is_current;

create table fct_city_theme_daily as
select
    md5(coalesce(cast(published_date as varchar), '') || platform || coalesce(city_code, '')
        || coalesce(best_theme, '') || cast(is_official as varchar)) as city_theme_day_key,
    published_date, platform, city_code, best_theme, is_official,
    count(*) as post_count
from dim_post
group by all;
"""


def build_sample_serving(path: Path, variant: int = 0) -> Path:
    """Write a complete sample warehouse to ``path`` (replaced if present) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".building-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(tmp)) as con:
            con.execute(_SQL.format(cities=CITIES_CSV.as_posix(), variant=int(variant)))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
