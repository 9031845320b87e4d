-- fct_city_theme_daily's post_count adds up to COUNT(DISTINCT post_key) over dim_post, per grain row
-- (a missing or extra group on either side fails too) and in total: no post lost, none counted twice.
{%- set grain = ['published_date', 'platform', 'city_code', 'best_theme', 'is_official'] %}
with mart_groups as (
    select
        {{ surrogate_key(grain) }} as group_key,
        sum(post_count) as posts
    from {{ ref('fct_city_theme_daily') }}
    group by {{ surrogate_key(grain) }}
),

dim_post_groups as (
    select
        {{ surrogate_key(grain) }} as group_key,
        count(distinct post_key) as posts
    from {{ ref('dim_post') }}
    group by {{ surrogate_key(grain) }}
),

group_differences as (
    select
        coalesce(mart_groups.group_key, dim_post_groups.group_key) as group_key,
        mart_groups.posts as mart_posts,
        dim_post_groups.posts as dim_post_posts
    from mart_groups
    full outer join dim_post_groups on mart_groups.group_key = dim_post_groups.group_key
    where coalesce(mart_groups.posts, -1) <> coalesce(dim_post_groups.posts, -1)
),

total_difference as (
    select
        cast('total' as {{ dbt.type_string() }}) as group_key,
        (select sum(post_count) from {{ ref('fct_city_theme_daily') }}) as mart_posts,
        (select count(distinct post_key) from {{ ref('dim_post') }}) as dim_post_posts
),

final as (
    select * from group_differences
    union all
    select * from total_difference where coalesce(mart_posts, 0) <> coalesce(dim_post_posts, 0)
)

select * from final
