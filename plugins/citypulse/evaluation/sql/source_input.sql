-- index-methods §3.1-3.2: per city x platform x month, the raw inputs, with how many posts had each
-- count known at maturity (the scoring decides whether a sum covers enough posts to be used).
with post_totals as (
    select
        city_code,
        platform,
        count(*) as posts,
        count(latest) as posts_with_metrics,
        count(latest.views) as posts_with_views,
        count(latest.likes) as posts_with_likes,
        count(latest.comments) as posts_with_comments,
        count(latest.shares) as posts_with_shares,
        count(latest.saves) as posts_with_saves,
        sum(latest.views) as views,
        max(latest.views) as peak_views,
        sum(latest.likes) as likes,
        sum(latest.comments) as comments,
        sum(latest.shares) as shares,
        sum(latest.saves) as saves
    from matured_posts
    group by city_code, platform
),

-- F_start: first count on or after the month's first day, before $followers_start_until (the next
-- month's first day under the within-month rule, the cutoff day under §3's "at or after m_start");
-- F_end: first count on or after the next month's first day (before the cutoff)
account_followers as (
    select
        registry_accounts.city_code,
        registry_accounts.platform,
        registry_accounts.account_id,
        arg_min(fct_account_daily.followers, fct_account_daily.date_day) filter (
            where fct_account_daily.date_day >= cast($first_day as date)
                and fct_account_daily.date_day < cast($followers_start_until as date)) as followers_start,
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

-- accounts with any observation before the cutoff: a city whose accounts have none has no known
-- zero, only missing data (the completeness check names such accounts)
observed_accounts as (
    select platform, account_id from fct_post_snapshot where observed_at < cast($cutoff as timestamptz)
    union
    select platform, account_id from fct_account_daily where date_day < cast($cutoff_day as date)
    union
    select platform, account_id from ops_ingests
    where status = 'landed' and account_id is not null and observed_at < cast($cutoff as timestamptz)
),

account_counts as (
    select
        registry_accounts.city_code,
        registry_accounts.platform,
        count(*) as accounts,
        count(observed_accounts.account_id) as accounts_with_data
    from registry_accounts
    left join observed_accounts
        on registry_accounts.platform = observed_accounts.platform
        and registry_accounts.account_id = observed_accounts.account_id
    group by registry_accounts.city_code, registry_accounts.platform
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
        coalesce(account_counts.accounts_with_data, 0) as accounts_with_data,
        cast($days as integer) as days,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts, 0) end as posts,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts_with_metrics, 0) end
            as posts_with_metrics,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts_with_views, 0) end as posts_with_views,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts_with_likes, 0) end as posts_with_likes,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts_with_comments, 0) end
            as posts_with_comments,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts_with_shares, 0) end
            as posts_with_shares,
        case when account_counts.accounts > 0 then coalesce(post_totals.posts_with_saves, 0) end as posts_with_saves,
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
