-- Per account, reporting period, audience dimension, bucket and metric: who watches an account
-- (YouTube viewer cities and countries, Meta audience age & gender...), with the account's city
-- from the registry like every account fact. A table rebuilt each run: audience exports are a few
-- hundred buckets per account and period.
-- Buckets keep the platform's own label (London, UK; 13–17 years): a label is not mapped to a
-- place or an age band here, where a guess could not be told from a fact.
with buckets as (
    select * from {{ ref('stg_audience_breakdown') }}
),

accounts as (
    select platform, account_id, account_id_public, account_key, city_code from {{ ref('int_accounts') }}
),

final as (
    select
        {{ surrogate_key([
            'buckets.platform', 'accounts.account_id_public', 'buckets.period_start', 'buckets.period_end',
            'buckets.dimension', 'buckets.bucket', 'buckets.metric'
        ]) }} as account_audience_key,
        accounts.account_key,
        buckets.platform,
        accounts.account_id_public as account_id,
        accounts.city_code,
        buckets.period_start,
        buckets.period_end,
        buckets.dimension,
        buckets.bucket,
        buckets.metric,
        buckets.value,
        buckets.share,
        buckets.observed_at,
        buckets.ingest_id
    from buckets
    inner join accounts
        on buckets.platform = accounts.platform and buckets.account_id = accounts.account_id
)

select * from final
