-- One row per topic per platform per observation time (per hot-search rank list entry); the latest ingest wins.
{{ latest_ingest_wins(ref('stg_lake__topic_observations'), ['platform', 'topic', 'observed_at', 'coalesce(is_hot_search, false)']) }}
