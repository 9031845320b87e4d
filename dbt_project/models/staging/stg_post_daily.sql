{{
    config(
        materialized='incremental',
        unique_key=['platform', 'post_id', adapter.quote('date')],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per post per platform reporting day; a later export of the same day replaces an earlier
-- one (a Studio chart exported again a week later restates the days it shares with the first).
-- Incremental like stg_account_daily: a run ranks again only the keys that new ingests carry.
{{ latest_ingest_wins_incremental(ref('stg_lake__post_daily'), ['platform', 'post_id', adapter.quote('date')]) }}
