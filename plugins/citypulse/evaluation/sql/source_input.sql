-- index-methods §3.1-3.2: per city x platform x month, the raw inputs of methodology v1.
with month_posts as (
    select registry_accounts.city_code, dim_post.platform, dim_post.post_key, dim_post.published_at
    from dim_post
    inner join registry_accounts
        on dim_post.platform = registry_accounts.platform and dim_post.account_id = registry_accounts.account_id
    where dim_post.published_at >= cast($m_start as timestamptz)
        and dim_post.published_at < cast($m_end as timestamptz)
),

-- metrics maturity: the latest observation at or before publish + maturity days (one aggregate per
-- post: a row_number() window over every matured observation cost twice as much at 10M)
matured_snapshots as (
    select
        month_posts.post_key,
        arg_max(
            {
                'views': fct_post_snapshot.views,
                'likes': fct_post_snapshot.likes,
                'comments': fct_post_snapshot.comments,
                'shares': fct_post_snapshot.shares,
                'saves': fct_post_snapshot.saves
            },
            fct_post_snapshot.observed_at
        ) as latest
    from month_posts
    inner join fct_post_snapshot on month_posts.post_key = fct_post_snapshot.post_key
    where fct_post_snapshot.observed_at <= month_posts.published_at + to_days(cast($maturity_days as integer))
        and fct_post_snapshot.observed_at < cast($cutoff as timestamptz)
    group by month_posts.post_key
),

post_totals as (
    select
        month_posts.city_code,
        month_posts.platform,
        count(*) as posts,
        count(matured_snapshots.post_key) as posts_with_metrics,
        sum(matured_snapshots.latest.views) as views,
        max(matured_snapshots.latest.views) as peak_views,
        sum(matured_snapshots.latest.likes) as likes,
        sum(matured_snapshots.latest.comments) as comments,
        sum(matured_snapshots.latest.shares) as shares,
        sum(matured_snapshots.latest.saves) as saves
    from month_posts
    left join matured_snapshots on month_posts.post_key = matured_snapshots.post_key
    group by month_posts.city_code, month_posts.platform
),

-- F_start: first count on or after the month's first day (within the month);
-- F_end: first count on or after the next month's first day (before the cutoff)
account_followers as (
    select
        registry_accounts.city_code,
        registry_accounts.platform,
        registry_accounts.account_id,
        arg_min(fct_account_daily.followers, fct_account_daily.date_day) filter (
            where fct_account_daily.date_day >= cast($first_day as date)
                and fct_account_daily.date_day < cast($next_first_day as date)) as followers_start,
        arg_min(fct_account_daily.followers, fct_account_daily.date_day) filter (
            where fct_account_daily.date_day >= cast($next_first_day as date)
                and fct_account_daily.date_day < cast($cutoff_day as date)) as followers_end
    from registry_accounts
    inner join fct_account_daily
        on registry_accounts.platform = fct_account_daily.platform
        and registry_accounts.account_id = fct_account_daily.account_id
    where fct_account_daily.followers is not null
    group by registry_accounts.city_code, registry_accounts.platform, registry_accounts.account_id
),

-- only accounts with both counts: a half-known account would fake a gain or a loss
follower_totals as (
    select city_code, platform, sum(followers_start) as followers_start, sum(followers_end) as followers_end
    from account_followers
    where followers_start is not null and followers_end is not null
    group by city_code, platform
),

account_counts as (
    select city_code, platform, count(*) as accounts
    from registry_accounts
    group by city_code, platform
),

panel as (
    select cast(dim_city.city_code as varchar) as city_code, config_platforms.platform
    from dim_city
    cross join config_platforms
),

final as (
    select
        panel.city_code,
        panel.platform,
        coalesce(account_counts.accounts, 0) > 0 as has_account,
        coalesce(account_counts.accounts, 0) as accounts,
        cast($days as integer) as days,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts, 0) end as posts,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts_with_metrics, 0) end
            as posts_with_metrics,
        -- no post at all is a known zero; posts whose platform hides a count leave it unknown
        case when account_counts.accounts > 0 then
            case when post_totals.posts is null then 0 else post_totals.views end end as views,
        case when account_counts.accounts > 0 then
            case when post_totals.posts is null then 0 else post_totals.peak_views end end as peak_views,
        case when account_counts.accounts > 0 then
            case when post_totals.posts is null then 0 else post_totals.likes end end as likes,
        case when account_counts.accounts > 0 then
            case when post_totals.posts is null then 0 else post_totals.comments end end as comments,
        case when account_counts.accounts > 0 then
            case when post_totals.posts is null then 0 else post_totals.shares end end as shares,
        case when account_counts.accounts > 0 then
            case when post_totals.posts is null then 0 else post_totals.saves end end as saves,
        follower_totals.followers_start,
        follower_totals.followers_end,
        topic_totals.topic_reach
    from panel
    left join account_counts on panel.city_code = account_counts.city_code and panel.platform = account_counts.platform
    left join post_totals on panel.city_code = post_totals.city_code and panel.platform = post_totals.platform
    left join follower_totals
        on panel.city_code = follower_totals.city_code and panel.platform = follower_totals.platform
    left join topic_totals on panel.city_code = topic_totals.city_code and panel.platform = topic_totals.platform
)

select * from final order by city_code, platform
