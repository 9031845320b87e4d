-- Per local publication day, platform, city, BEST theme and official/non-official: the number of
-- posts, counted from dim_post once per build, so the theme charts read at most days x platforms x
-- cities x 5 themes (4 + unknown) x 2 rows instead of one row per post (chart p95 < 300 ms).
-- Each post has exactly one publication day and one BEST theme (or none), so it lands in exactly
-- one row: SUM(post_count) over any grouping equals COUNT(DISTINCT post_key) over dim_post.
-- Posts without a known publication day, city or theme keep a NULL group (not dropped).
with posts as (
    select
        published_date,
        platform,
        city_code,
        best_theme,
        is_official
    from {{ ref('dim_post') }}
),

final as (
    select
        {{ surrogate_key(['published_date', 'platform', 'city_code', 'best_theme', 'is_official']) }}
            as city_theme_day_key,
        published_date,
        platform,
        city_code,
        best_theme,
        is_official,
        cast(count(*) as {{ dbt.type_bigint() }}) as post_count
    from posts
    group by published_date, platform, city_code, best_theme, is_official
)

select * from final
