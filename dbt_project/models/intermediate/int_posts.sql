{{
    config(
        materialized='incremental',
        unique_key=['platform', 'post_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per post: its latest attributes and when it was first and last observed.
-- Incremental (the windows below over every observation were the costliest step of an
-- incremental build): a run redoes the posts that have an observation written by a build this table
-- has not seen (stg_post_observations.built_at), from all of their observations, as a full refresh
-- would; every other post keeps its row.
-- stg_post_observations is read where it is used, not through one shared CTE: DuckDB materialises
-- a CTE that is read twice, i.e. copies every column of every observation before the join can drop
-- the posts that are not redone (at 10M observations that copy was most of an incremental run).
{% if is_incremental() %}
with posts_to_redo as (
    select distinct platform, post_id
    from {{ ref('stg_post_observations') }}
    where built_at > coalesce((select max(built_at) from {{ this }}), {{ never() }})
),

observations_to_rank as (
    select observations.*
    from {{ ref('stg_post_observations') }} as observations
    inner join posts_to_redo
        on observations.platform = posts_to_redo.platform and observations.post_id = posts_to_redo.post_id
),
{% else %}
with observations_to_rank as (
    select * from {{ ref('stg_post_observations') }}
),
{% endif %}

latest_first as (
    select
        observations_to_rank.*,
        row_number() over (partition by platform, post_id order by observed_at desc, ingest_landed_at desc) as recency_rank,
        min(observed_at) over (partition by platform, post_id) as first_observed_at,
        max(observed_at) over (partition by platform, post_id) as last_observed_at,
        -- an export may lack the publication time; any other observation of the post may carry it
        min(published_at) over (partition by platform, post_id) as earliest_published_at,
        count(*) over (partition by platform, post_id) as observations
    from observations_to_rank
),

final as (
    select
        platform,
        post_id,
        account_id,
        account_name,
        post_url,
        coalesce(published_at, earliest_published_at) as published_at,
        title,
        text,
        post_type,
        duration_s,
        source_keyword,
        ip_location,
        first_observed_at,
        last_observed_at,
        observations,
        {{ build_stamp() }} as built_at
    from latest_first
    where recency_rank = 1
)

select * from final
