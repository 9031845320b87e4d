-- One row per account with only what analysts may see: the input of the SCD2 snapshot (no raw ids of personal accounts).
with accounts as (
    select * from {{ ref('int_accounts') }}
),

final as (
    select
        account_key,
        platform,
        account_id_public as account_id,
        account_name_public as account_name,
        account_type,
        classification_source,
        classification_rule,
        city_code,
        city_source,
        verified,
        verified_type,
        followers
    from accounts
)

select * from final
