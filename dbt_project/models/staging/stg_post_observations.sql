{{
    config(
        materialized='incremental',
        unique_key=['platform', 'post_id', 'observed_at'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per post per observation time: the same post at the same observed_at counted once.
-- A table, not a view: every post model reads it, and an incremental run ranks only the keys that
-- new ingests carry (macros/incremental.sql).
-- built_at: the build that wrote the row; the per-post models downstream redo the posts it names.
{{ latest_ingest_wins_incremental(ref('stg_lake__post_observations'), ['platform', 'post_id', 'observed_at'], stamped=true) }}
