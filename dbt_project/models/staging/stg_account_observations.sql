-- One row per account per observation time; the latest ingest wins.
{{ latest_ingest_wins(ref('stg_lake__account_observations'), ['platform', 'account_id', 'observed_at']) }}
