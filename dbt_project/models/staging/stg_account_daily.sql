-- One row per account per reporting day; a later export of the same day replaces an earlier one.
{{ latest_ingest_wins(ref('stg_lake__account_daily'), ['platform', 'account_id', adapter.quote('date')]) }}
