-- The report's top posts: the five most viewed (at maturity) official posts per city and platform.
with month_posts as (
    select registry_accounts.city_code, dim_post.platform, dim_post.post_key, dim_post.post_id, dim_post.published_at
    from dim_post
    inner join registry_accounts
        on dim_post.platform = registry_accounts.platform and dim_post.account_id = registry_accounts.account_id
    where dim_post.published_at >= cast($m_start as timestamptz)
        and dim_post.published_at < cast($m_end as timestamptz)
),

-- the latest observation at or before publish + maturity days: one aggregate per post
matured as (
    select
        month_posts.post_key,
        arg_max(
            {'views': fct_post_snapshot.views, 'engagements': fct_post_snapshot.engagements},
            fct_post_snapshot.observed_at
        ) as latest
    from month_posts
    inner join fct_post_snapshot on month_posts.post_key = fct_post_snapshot.post_key
    where fct_post_snapshot.observed_at <= month_posts.published_at + to_days(cast($maturity_days as integer))
        and fct_post_snapshot.observed_at < cast($cutoff as timestamptz)
    group by month_posts.post_key
),

ranked as (
    select
        month_posts.city_code,
        month_posts.platform,
        month_posts.post_key,
        month_posts.post_id,
        month_posts.published_at,
        matured.latest.views as views,
        matured.latest.engagements as engagements,
        row_number() over (
            partition by month_posts.city_code, month_posts.platform
            order by matured.latest.views desc nulls last, matured.latest.engagements desc nulls last,
                month_posts.post_id
        ) as place
    from month_posts
    inner join matured on month_posts.post_key = matured.post_key
)

-- titles and links only for the posts shown
select
    ranked.city_code,
    ranked.platform,
    ranked.post_id,
    dim_post.title,
    dim_post.post_url,
    ranked.published_at,
    ranked.views,
    ranked.engagements
from ranked
inner join dim_post on ranked.post_key = dim_post.post_key
where ranked.place <= 5
order by ranked.city_code, ranked.platform, ranked.place
