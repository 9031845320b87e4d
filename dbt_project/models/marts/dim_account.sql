-- SCD2 versions of accounts from the snapshot; followers of the current version are the latest observed.
with versions as (
    select * from {{ ref('snap_accounts') }}
),

current_accounts as (
    select account_key, followers from {{ ref('int_accounts_public') }}
),

final as (
    select
        versions.dbt_scd_id as account_version_key,
        versions.account_key,
        versions.platform,
        versions.account_id,
        versions.account_name,
        versions.account_type,
        versions.classification_source,
        versions.classification_rule,
        versions.city_code,
        versions.city_source,
        versions.verified,
        versions.verified_type,
        case when versions.dbt_valid_to is null then current_accounts.followers else versions.followers end as followers,
        versions.account_type = 'official' as is_official,
        versions.dbt_valid_from as valid_from,
        versions.dbt_valid_to as valid_to,
        versions.dbt_valid_to is null as is_current
    from versions
    left join current_accounts on versions.account_key = current_accounts.account_key
)

select * from final
