-- depends_on: {{ ref('stg_post_observations') }}
{{
    config(
        materialized='incremental',
        unique_key='post_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Incremental: every day of each post touched by a new ingest is recomputed (deltas depend on the
-- previous day), and replaces that post's rows (unique_key post_key), as in a full refresh.
with daily as (
    select * from {{ ref('int_post_daily') }}
),

{% if is_incremental() %}
changed_posts as (
    select distinct platform, post_id
    from {{ ref('stg_post_observations') }}
    where ingest_id not in (select distinct ingest_id from {{ this }})
),

daily_to_process as (
    select daily.*
    from daily
    inner join changed_posts on daily.platform = changed_posts.platform and daily.post_id = changed_posts.post_id
),
{% else %}
daily_to_process as (
    select * from daily
),
{% endif %}

posts as (
    select platform, post_id, account_id from {{ ref('int_posts') }}
),

accounts as (
    select platform, account_id, account_id_public from {{ ref('int_accounts') }}
),

final as (
    select
        {{ surrogate_key(['daily_to_process.platform', 'daily_to_process.post_id', 'daily_to_process.date_day']) }} as post_day_key,
        {{ surrogate_key(['daily_to_process.platform', 'daily_to_process.post_id']) }} as post_key,
        daily_to_process.platform,
        daily_to_process.post_id,
        coalesce(accounts.account_id_public, posts.account_id) as account_id,
        cities.city_code,
        daily_to_process.date_day,
        daily_to_process.last_observed_at,
        daily_to_process.views,
        daily_to_process.likes,
        daily_to_process.comments,
        daily_to_process.shares,
        daily_to_process.saves,
        daily_to_process.engagements,
        daily_to_process.views_delta,
        daily_to_process.likes_delta,
        daily_to_process.comments_delta,
        daily_to_process.shares_delta,
        daily_to_process.saves_delta,
        daily_to_process.engagements_delta,
        daily_to_process.carries_prior_accumulation,
        daily_to_process.is_correction,
        daily_to_process.ingest_id
    from daily_to_process
    left join posts on daily_to_process.platform = posts.platform and daily_to_process.post_id = posts.post_id
    left join accounts on posts.platform = accounts.platform and posts.account_id = accounts.account_id
    left join {{ ref('int_post_cities') }} as cities
        on daily_to_process.platform = cities.platform and daily_to_process.post_id = cities.post_id
)

select * from final
