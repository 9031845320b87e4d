-- The city keywords as the city_keywords seed lists them (search keywords, trend matching): the
-- monthly evaluation and its diagnostics read them from serving, where the seed itself is not published.
with keywords as (
    select * from {{ ref('city_keywords') }}
),

final as (
    select cast(city_code as {{ dbt.type_string() }}) as city_code, keyword
    from keywords
)

select * from final
