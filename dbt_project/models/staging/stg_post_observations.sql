-- One row per post per observation time: the same post at the same observed_at counted once.
{{ latest_ingest_wins(ref('stg_lake__post_observations'), ['platform', 'post_id', 'observed_at']) }}
