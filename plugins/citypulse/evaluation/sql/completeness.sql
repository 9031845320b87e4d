-- The last local day with any observation of each registered official account: posts, account days,
-- or an export of that account that landed with nothing to report (a month without posts).
with last_post_days as (
    select platform, account_id, max(observed_date) as last_day
    from fct_post_snapshot
    where observed_at < cast($cutoff as timestamptz)
    group by platform, account_id
),

last_account_days as (
    select platform, account_id, max(date_day) as last_day
    from fct_account_daily
    where date_day < cast($cutoff_day as date)
    group by platform, account_id
),

last_export_days as (
    select platform, account_id, max(cast(timezone($tz, observed_at) as date)) as last_day
    from ops_ingests
    where status = 'landed' and account_id is not null and observed_at < cast($cutoff as timestamptz)
    group by platform, account_id
)

select
    registry_accounts.platform,
    registry_accounts.account_id,
    registry_accounts.account_name,
    registry_accounts.city_code,
    greatest(last_post_days.last_day, last_account_days.last_day, last_export_days.last_day) as last_day
from registry_accounts
left join last_post_days
    on registry_accounts.platform = last_post_days.platform
    and registry_accounts.account_id = last_post_days.account_id
left join last_account_days
    on registry_accounts.platform = last_account_days.platform
    and registry_accounts.account_id = last_account_days.account_id
left join last_export_days
    on registry_accounts.platform = last_export_days.platform
    and registry_accounts.account_id = last_export_days.account_id
order by registry_accounts.city_code, registry_accounts.platform, registry_accounts.account_id
