{{
    config(
        materialized='incremental',
        unique_key='post_snapshot_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Incremental: only observations of ingests not yet in the table; a newer ingest of the same
-- post and observation time replaces the older row (unique_key), as in a full refresh.
with observations as (
    select * from {{ ref('stg_post_observations') }}
    {% if is_incremental() %}
    where ingest_id not in (select distinct ingest_id from {{ this }})
    {% endif %}
),

accounts as (
    select platform, account_id, account_id_public, account_key from {{ ref('int_accounts') }}
),

final as (
    select
        {{ surrogate_key(['observations.platform', 'observations.post_id', 'observations.observed_at']) }} as post_snapshot_key,
        {{ surrogate_key(['observations.platform', 'observations.post_id']) }} as post_key,
        observations.platform,
        observations.post_id,
        coalesce(accounts.account_id_public, observations.account_id) as account_id,
        accounts.account_key,
        observations.observed_at,
        {{ local_date('observations.observed_at') }} as observed_date,
        observations.views,
        observations.likes,
        observations.comments,
        observations.shares,
        observations.saves,
        observations.impressions,
        observations.reach,
        {{ engagements('observations.') }} as engagements,
        observations.followers_gained,
        observations.completion_rate,
        observations.ingest_id,
        observations.source_row
    from observations
    left join accounts on observations.platform = accounts.platform and observations.account_id = accounts.account_id
)

select * from final
