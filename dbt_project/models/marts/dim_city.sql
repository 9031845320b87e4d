with cities as (
    select * from {{ ref('cities') }}
),

final as (
    select city_code, city_name_zh, city_name_en, province_zh, admin_level, region
    from cities
)

select * from final
