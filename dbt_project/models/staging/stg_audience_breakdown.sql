-- One row per account, period, dimension, bucket and metric: a re-export of the same period
-- replaces the earlier one. A view: audience tables are a few hundred buckets per account and
-- period, and the period bounds may be unknown (NULL), which delete+insert keys cannot match.
{{ latest_ingest_wins(
    ref('stg_lake__audience_breakdown'),
    ['platform', 'account_id', 'period_start', 'period_end', 'dimension', 'bucket', 'metric']
) }}
