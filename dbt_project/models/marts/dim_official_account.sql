-- The accounts registry's official city accounts, one row per registry version (valid_from/valid_to):
-- the monthly evaluation's A(c, p). Official accounts speak for a city, not for a private person, so
-- their platform ids and names are published as registered; other registry rows (media, influencer,
-- personal) stay in the seed, which is not published (docs/decisions.md, what serving holds).
with registry as (
    select * from {{ ref('accounts') }}
),

final as (
    select
        platform,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        account_name,
        cast(city_code as {{ dbt.type_string() }}) as city_code,
        account_type,
        valid_from,
        valid_to
    from registry
    where account_type = 'official'
)

select * from final
