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

-- keys and ids as shown (PIPL), the post's own: one pseudonymous id per post in every mart
identities as (
    select platform, post_id, post_key, post_pseudonym, post_id_public, account_id_public, account_key
    from {{ ref('int_post_identities') }}
),

final as (
    select
        {{ surrogate_key(['observations.platform', 'identities.post_pseudonym', 'observations.observed_at']) }} as post_snapshot_key,
        identities.post_key,
        observations.platform,
        identities.post_id_public as post_id,
        identities.account_id_public as account_id,
        identities.account_key,
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
    inner join identities on observations.platform = identities.platform and observations.post_id = identities.post_id
)

select * from final
