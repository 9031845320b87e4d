-- One row per city keyword, normalised like the text it is matched against (longest keywords first wins).
with keywords as (
    select city_code, lower({{ nfkc('keyword') }}) as keyword
    from {{ ref('city_keywords') }}
),

final as (
    select city_code, keyword, length(keyword) as keyword_length
    from keywords
    where keyword is not null and keyword <> ''
)

select * from final
