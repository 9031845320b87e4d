{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with inputs_with_account as (

    select * from {{ ref('int_eval_input') }} where has_account

),

platforms as (

    select * from {{ eval_frozen('config_platforms') }}

),

settings as (

    select * from {{ ref('int_eval_settings') }}

),

platform_indicators as (

    select
        platform_indicators.platform,
        platform_indicators.indicator,
        indicators.dimension,
        cast(indicators.weight as {{ eval_double() }}) as weight
    from {{ eval_frozen('config_platform_indicators') }} as platform_indicators
    inner join {{ eval_frozen('config_indicators') }} as indicators
        on platform_indicators.indicator = indicators.indicator

),

-- Data coverage (versions with min_data_coverage): a sum known for fewer than that share of the
-- month's posts is not used (数据不足); one known for enough posts is scaled to all posts, never
-- a partial sum. A city with posts but no matured observation, or whose accounts have no
-- observation at all, has no usable indicator.
coverage as (

    select
        inputs_with_account.*,
        settings.min_data_coverage is not null
            and inputs_with_account.data_status in ('no_data', 'no_matured_data') as lacks_matured_data,
        settings.min_data_coverage is not null and inputs_with_account.posts > 0
            and coalesce(inputs_with_account.posts_with_views, inputs_with_account.posts)
                < settings.min_data_coverage * inputs_with_account.posts as lacks_views,
        settings.min_data_coverage is not null and inputs_with_account.posts > 0
            and coalesce(inputs_with_account.posts_with_engagements, inputs_with_account.posts)
                < settings.min_data_coverage * inputs_with_account.posts as lacks_engagements,
        settings.min_data_coverage is not null as scales_sums
    from inputs_with_account
    cross join settings

),

used_counts as (

    select
        coverage.*,
        case
            when lacks_views then null
            when scales_sums and posts_with_views > 0
                then cast(views as {{ eval_double() }}) * posts / posts_with_views
            else cast(views as {{ eval_double() }})
        end as views_used,
        case when lacks_views then null else peak_views end as peak_views_used,
        case
            when lacks_engagements then null
            when scales_sums and posts_with_engagements > 0
                then cast(engagements as {{ eval_double() }}) * posts / posts_with_engagements
            else cast(engagements as {{ eval_double() }})
        end as engagements_used
    from coverage

),

-- Engagement rate (§3.3 q): per view where views are known and positive, otherwise per post per
-- mean follower (ER_F); a platform configured as follower-based always uses ER_F.
measures as (

    select
        used_counts.*,
        cast(used_counts.followers_end - used_counts.followers_start as {{ eval_double() }})
            as follower_change,
        case
            when platforms.er_denominator = 'views_else_followers' and used_counts.views_used > 0
                then used_counts.engagements_used / used_counts.views_used
            when used_counts.posts > 0
                and used_counts.followers_start + used_counts.followers_end > 0
                then used_counts.engagements_used
                    / (used_counts.posts
                       * (used_counts.followers_start + used_counts.followers_end) / 2.0)
        end as engagement_rate
    from used_counts
    inner join platforms on used_counts.platform = platforms.platform

),

raw_values as (

    select
        measures.run_id,
        measures.city_code,
        measures.platform,
        platform_indicators.indicator,
        platform_indicators.dimension,
        platform_indicators.weight,
        measures.lacks_matured_data
        or (platform_indicators.indicator in ('r', 'k') and measures.lacks_views)
        or (platform_indicators.indicator in ('e', 'q') and measures.lacks_engagements) as is_insufficient,
        case platform_indicators.indicator
            when 'a' then cast(measures.posts as {{ eval_double() }}) / measures.days
            when 'r' then measures.views_used / measures.days
            when 't' then cast(measures.topic_reach as {{ eval_double() }}) / measures.days
            when 'k' then cast(measures.peak_views_used as {{ eval_double() }})
            when 'g' then measures.follower_change
            when 'e' then measures.engagements_used / measures.days
            when 'q' then measures.engagement_rate
        end as raw
    from measures
    inner join platform_indicators on measures.platform = platform_indicators.platform

),

final as (

    select
        run_id,
        city_code,
        platform,
        indicator,
        dimension,
        weight,
        case when is_insufficient then null else raw end as raw,
        case
            when is_insufficient then null
            when indicator = 'q' then raw
            -- signed log keeps follower losses negative
            when indicator = 'g' then sign(raw) * {{ eval_log1p('abs(raw)') }}
            else {{ eval_log1p('raw') }}
        end as x,
        is_insufficient
    from raw_values

)

select * from final
