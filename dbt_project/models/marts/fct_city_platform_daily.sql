-- Per local day, platform, city and publishing account type: the content dashboard's measures summed
-- from fct_post_daily once per build, so a chart reads a few hundred thousand rows at most (bounded
-- by days x cities x platforms x types), not one row per post per day (issue 8: chart p95 < 300 ms).
-- Sums of the daily sums are the sums of the post rows; posts_published counts each post once, on
-- its publication day, so it adds up across any grouping as COUNT(DISTINCT post) does.
with post_days as (
    select
        daily.date_day,
        daily.platform,
        daily.city_code,
        coalesce(posts.account_type, 'unknown') as account_type,
        coalesce(posts.published_date = daily.date_day, false) as is_publish_day,
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

final as (
    select
        {{ surrogate_key(['date_day', 'platform', 'city_code', 'account_type']) }} as city_platform_day_key,
        date_day,
        platform,
        city_code,
        account_type,
        count(*) as post_days,
        cast(sum(case when is_publish_day then 1 else 0 end) as {{ dbt.type_bigint() }}) as posts_published,
        {%- for metric in ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
        cast(sum({{ metric }}_delta) as {{ dbt.type_bigint() }}) as {{ metric }}_delta,
        {%- endfor %}
        -- the engagement rate's numerator: engagements only where views are known (NULL-safe rate)
        cast(sum(case when views_delta is not null then engagements_delta end) as {{ dbt.type_bigint() }})
            as engagements_delta_with_views,
        cast(sum(case when is_correction then 1 else 0 end) as {{ dbt.type_bigint() }}) as corrections
    from post_days
    group by date_day, platform, city_code, account_type
)

select * from final
