{{
    config(
        materialized='incremental',
        unique_key=['platform', 'account_id', 'observed_at'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per account per observation time; the latest ingest wins. Incremental like
-- stg_post_observations: a run ranks again only the keys that new ingests carry.
{{ latest_ingest_wins_incremental(ref('stg_lake__account_observations'), ['platform', 'account_id', 'observed_at']) }}
