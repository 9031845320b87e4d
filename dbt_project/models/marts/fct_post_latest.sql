{{
    config(
        materialized='incremental',
        unique_key='post_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Per post: its latest end-of-day cumulative metrics beside the post's attributes, so the top-content
-- table is a top-N over one row per post instead of a window over every post-day.
-- Posts without a daily row keep NULL metrics (unknown, not 0), as dim_post left-joined would.
-- Rows are written most-viewed first: the table's chart orders by views (top-N), and with the file
-- laid out that way the engine's per-block min/max lets it skip most blocks. The order is a layout,
-- not a contract: readers still say ORDER BY.
-- An incremental run writes only new and changed rows (changed_rows_only), themselves most-viewed
-- first: sorting and rewriting every post's row was most of this model's time.
with latest_day as (
    select
        post_key,
        date_day,
        views,
        likes,
        comments,
        shares,
        saves,
        engagements,
        row_number() over (partition by post_key order by date_day desc) as recency
    from {{ ref('fct_post_daily') }}
    -- days with a snapshot only: a day known only from the platform's daily values has no cumulative
    where last_observed_at is not null
),

current_accounts as (
    select account_key, account_name from {{ ref('dim_account') }} where is_current
),

final as (
    select
        posts.post_key,
        posts.platform,
        posts.post_id,
        posts.account_id,
        posts.account_key,
        current_accounts.account_name,
        posts.account_type,
        posts.city_code,
        posts.published_date,
        posts.title,
        posts.post_url,
        posts.best_theme,
        latest_day.date_day as last_observed_date,
        latest_day.views,
        latest_day.likes,
        latest_day.comments,
        latest_day.shares,
        latest_day.saves,
        latest_day.engagements
    from {{ ref('dim_post') }} as posts
    left join latest_day on posts.post_key = latest_day.post_key and latest_day.recency = 1
    left join current_accounts on posts.account_key = current_accounts.account_key
)

{{ changed_rows_only('final', 'post_key') }}
order by views desc nulls last, post_key
