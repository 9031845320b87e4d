{{
    config(
        materialized='incremental',
        unique_key='account_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Per account per day: the platform's daily report where an export has one, and the end-of-day
-- follower count from profile observations. Incremental: accounts touched by new ingests are redone.
with reported_days as (
    select platform, account_id, {{ adapter.quote('date') }} as date_day, followers, followers_gained, followers_lost, followers_net,
        views, profile_views, likes, comments, shares, ingest_id
    from {{ ref('stg_account_daily') }}
),

profile_observations as (
    select
        platform, account_id, {{ local_date('observed_at') }} as date_day, followers, ingest_id,
        row_number() over (
            partition by platform, account_id, {{ local_date('observed_at') }} order by observed_at desc
        ) as rank_in_day
    from {{ ref('stg_account_observations') }}
),

observed_days as (
    select platform, account_id, date_day, followers, ingest_id
    from profile_observations
    where rank_in_day = 1
),

account_days as (
    select
        coalesce(reported_days.platform, observed_days.platform) as platform,
        coalesce(reported_days.account_id, observed_days.account_id) as account_id,
        coalesce(reported_days.date_day, observed_days.date_day) as date_day,
        coalesce(reported_days.followers, observed_days.followers) as followers,
        reported_days.followers_gained,
        reported_days.followers_lost,
        -- the platform's own net figure, else gained − lost when both are known (NULL otherwise)
        coalesce(reported_days.followers_net, reported_days.followers_gained - reported_days.followers_lost)
            as followers_net,
        reported_days.views,
        reported_days.profile_views,
        reported_days.likes,
        reported_days.comments,
        reported_days.shares,
        coalesce(reported_days.ingest_id, observed_days.ingest_id) as ingest_id,
        observed_days.ingest_id as profile_ingest_id
    from reported_days
    full outer join observed_days
        on reported_days.platform = observed_days.platform
        and reported_days.account_id = observed_days.account_id
        and reported_days.date_day = observed_days.date_day
),

{% if is_incremental() %}
changed_accounts as (
    select platform, account_id from {{ ref('stg_account_daily') }}
    where ingest_id not in (select distinct ingest_id from {{ this }})
    union
    select platform, account_id from {{ ref('stg_account_observations') }}
    where ingest_id not in (select distinct ingest_id from {{ this }})
        and ingest_id not in (select distinct profile_ingest_id from {{ this }} where profile_ingest_id is not null)
),

days_to_process as (
    select account_days.*
    from account_days
    inner join changed_accounts
        on account_days.platform = changed_accounts.platform and account_days.account_id = changed_accounts.account_id
),
{% else %}
days_to_process as (
    select * from account_days
),
{% endif %}

accounts as (
    select platform, account_id, account_id_public, account_key, city_code from {{ ref('int_accounts') }}
),

final as (
    select
        {{ surrogate_key(['days_to_process.platform', 'accounts.account_id_public', 'days_to_process.date_day']) }} as account_day_key,
        accounts.account_key,
        days_to_process.platform,
        accounts.account_id_public as account_id,
        accounts.city_code,
        days_to_process.date_day,
        days_to_process.followers,
        days_to_process.followers_gained,
        days_to_process.followers_lost,
        days_to_process.followers_net,
        days_to_process.views,
        days_to_process.profile_views,
        days_to_process.likes,
        days_to_process.comments,
        days_to_process.shares,
        days_to_process.ingest_id,
        days_to_process.profile_ingest_id
    from days_to_process
    inner join accounts
        on days_to_process.platform = accounts.platform and days_to_process.account_id = accounts.account_id
)

select * from final
