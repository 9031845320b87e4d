with platforms as (
    select * from {{ ref('platforms') }}
),

final as (
    select platform, platform_name_zh, platform_name_en, region
    from platforms
)

select * from final
