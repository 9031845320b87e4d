-- The month's official posts with their metrics at maturity (index-methods §3.1): the latest
-- observation at or before publish + maturity days and before the cutoff; latest is NULL for a post
-- with no such observation. Read by source_input and source_top_posts: one aggregate per post, once
-- per run (a row_number() window over every matured observation cost twice as much at 10M).
create or replace temp table matured_posts as
with month_posts as (
    select
        registry_accounts.city_code, dim_post.platform, dim_post.post_key, dim_post.post_id, dim_post.published_at
    from dim_post
    inner join registry_accounts
        on dim_post.platform = registry_accounts.platform and dim_post.account_id = registry_accounts.account_id
    where dim_post.published_at >= cast($m_start as timestamptz)
        and dim_post.published_at < cast($m_end as timestamptz)
),

matured as (
    select
        month_posts.post_key,
        arg_max(
            {
                'views': fct_post_snapshot.views,
                'likes': fct_post_snapshot.likes,
                'comments': fct_post_snapshot.comments,
                'shares': fct_post_snapshot.shares,
                'saves': fct_post_snapshot.saves,
                'engagements': fct_post_snapshot.engagements
            },
            fct_post_snapshot.observed_at
        ) as latest
    from month_posts
    inner join fct_post_snapshot on month_posts.post_key = fct_post_snapshot.post_key
    where fct_post_snapshot.observed_at <= month_posts.published_at + to_days(cast($maturity_days as integer))
        and fct_post_snapshot.observed_at < cast($cutoff as timestamptz)
    group by month_posts.post_key
)

select month_posts.*, matured.latest
from month_posts
left join matured on month_posts.post_key = matured.post_key
