-- Per account: when anything was last observed for it, and whether that is too long ago (var stale_after_days).
with last_seen as (
    select platform, account_id, max(observed_at) as last_observed_at
    from (
        select platform, account_id, observed_at from {{ ref('stg_post_observations') }}
        union all
        select platform, account_id, observed_at from {{ ref('stg_account_observations') }}
    ) as observations
    group by platform, account_id
),

reported_days as (
    select platform, account_id, max({{ adapter.quote('date') }}) as last_reported_date
    from {{ ref('stg_account_daily') }}
    group by platform, account_id
),

accounts as (
    select * from {{ ref('int_accounts') }}
),

final as (
    select
        accounts.account_key,
        accounts.platform,
        accounts.account_id_public as account_id,
        accounts.account_name_public as account_name,
        accounts.account_type,
        accounts.city_code,
        last_seen.last_observed_at,
        reported_days.last_reported_date,
        {{ dbt.datediff(local_date('last_seen.last_observed_at'), local_date('current_timestamp'), 'day') }} as days_since_observed,
        coalesce(
            {{ dbt.datediff(local_date('last_seen.last_observed_at'), local_date('current_timestamp'), 'day') }} > {{ var('stale_after_days') }},
            true
        ) as is_stale
    from accounts
    left join last_seen on accounts.platform = last_seen.platform and accounts.account_id = last_seen.account_id
    left join reported_days on accounts.platform = reported_days.platform and accounts.account_id = reported_days.account_id
)

select * from final
