{{
    config(
        materialized='incremental',
        unique_key=['platform', 'account_id', adapter.quote('date')],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per account per reporting day; a later export of the same day replaces an earlier one.
-- Incremental like stg_post_observations: a run ranks again only the keys that new ingests carry.
{{ latest_ingest_wins_incremental(ref('stg_lake__account_daily'), ['platform', 'account_id', adapter.quote('date')]) }}
