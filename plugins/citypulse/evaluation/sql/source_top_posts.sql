-- The report's top posts: the five most viewed (at maturity) official posts per city and platform.
with month_posts as (
    select
        registry_accounts.city_code, dim_post.platform, dim_post.post_key, dim_post.post_id, dim_post.title,
        dim_post.post_url, dim_post.published_at
    from dim_post
    inner join registry_accounts
        on dim_post.platform = registry_accounts.platform and dim_post.account_id = registry_accounts.account_id
    where dim_post.published_at >= cast($m_start as timestamptz)
        and dim_post.published_at < cast($m_end as timestamptz)
),

matured as (
    select
        month_posts.*,
        fct_post_snapshot.views,
        fct_post_snapshot.engagements,
        row_number() over (partition by month_posts.post_key order by fct_post_snapshot.observed_at desc) as recency
    from month_posts
    inner join fct_post_snapshot on month_posts.post_key = fct_post_snapshot.post_key
    where fct_post_snapshot.observed_at <= month_posts.published_at + to_days(cast($maturity_days as integer))
        and fct_post_snapshot.observed_at < cast($cutoff as timestamptz)
),

ranked as (
    select
        matured.*,
        row_number() over (
            partition by city_code, platform order by views desc nulls last, engagements desc nulls last, post_id
        ) as place
    from matured
    where recency = 1
)

select city_code, platform, post_id, title, post_url, published_at, views, engagements
from ranked
where place <= 5
order by city_code, platform, place
