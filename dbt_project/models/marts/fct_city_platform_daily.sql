-- Per local day, platform, city and publishing account type: the content dashboard's measures summed
-- from fct_post_daily once per build, so a chart reads a few hundred thousand rows at most (bounded
-- by days x cities x platforms x types), not one row per post per day (chart p95 < 300 ms).
-- Sums of the daily sums are the sums of the post rows. posts_published counts every post of dim_post
-- once, on its publication day, whether or not a snapshot fell on that day (fct_post_daily has rows
-- only from a post's first observation on), so it adds up across any grouping as COUNT(DISTINCT post)
-- does; a day with publications but no observed post-day still gets a row (its deltas NULL: unknown).
with post_days as (
    select
        daily.date_day,
        daily.platform,
        daily.city_code,
        coalesce(posts.account_type, 'unknown') as account_type,
        1 as is_post_day,
        0 as is_publication,
        daily.views_delta,
        daily.likes_delta,
        daily.comments_delta,
        daily.shares_delta,
        daily.saves_delta,
        daily.engagements_delta,
        daily.is_correction
    from {{ ref('fct_post_daily') }} as daily
    left join {{ ref('dim_post') }} as posts on daily.post_key = posts.post_key
),

-- one row per post on its publication day; the union (not a join) keeps groups with a NULL city
publications as (
    select
        published_date as date_day,
        platform,
        city_code,
        coalesce(account_type, 'unknown') as account_type,
        0 as is_post_day,
        1 as is_publication,
        {%- for metric in ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
        cast(null as {{ dbt.type_bigint() }}) as {{ metric }}_delta,
        {%- endfor %}
        cast(null as boolean) as is_correction
    from {{ ref('dim_post') }}
    where published_date is not null
),

rows_of_day as (
    select * from post_days
    union all
    select * from publications
),

final as (
    select
        {{ surrogate_key(['date_day', 'platform', 'city_code', 'account_type']) }} as city_platform_day_key,
        date_day,
        platform,
        city_code,
        account_type,
        cast(sum(is_post_day) as {{ dbt.type_bigint() }}) as post_days,
        cast(sum(is_publication) as {{ dbt.type_bigint() }}) as posts_published,
        {%- for metric in ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
        cast(sum({{ metric }}_delta) as {{ dbt.type_bigint() }}) as {{ metric }}_delta,
        {%- endfor %}
        -- the engagement rate's numerator: engagements only where views are known (NULL-safe rate)
        cast(sum(case when views_delta is not null then engagements_delta end) as {{ dbt.type_bigint() }})
            as engagements_delta_with_views,
        cast(sum(case when is_correction then 1 else 0 end) as {{ dbt.type_bigint() }}) as corrections
    from rows_of_day
    group by date_day, platform, city_code, account_type
)

select * from final
