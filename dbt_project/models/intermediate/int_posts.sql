-- One row per post: its latest attributes and when it was first and last observed.
with observations as (
    select * from {{ ref('stg_post_observations') }}
),

latest_first as (
    select
        observations.*,
        row_number() over (partition by platform, post_id order by observed_at desc, ingest_landed_at desc) as recency_rank,
        min(observed_at) over (partition by platform, post_id) as first_observed_at,
        max(observed_at) over (partition by platform, post_id) as last_observed_at,
        -- an export may lack the publication time; any other observation of the post may carry it
        min(published_at) over (partition by platform, post_id) as earliest_published_at,
        count(*) over (partition by platform, post_id) as observations
    from observations
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
        observations
    from latest_first
    where recency_rank = 1
)

select * from final
