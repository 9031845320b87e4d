{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with inputs_with_account as (

    select * from {{ ref('int_eval_input') }} where has_account

),

platforms as (

    select * from {{ eval_frozen('config_platforms') }}

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

-- Engagement rate (§3.3 q): per view where views are known and positive, otherwise per post per
-- mean follower (ER_F); a platform configured as follower-based always uses ER_F.
measures as (

    select
        inputs_with_account.*,
        cast(inputs_with_account.followers_end - inputs_with_account.followers_start as {{ eval_double() }})
            as follower_change,
        case
            when platforms.er_denominator = 'views_else_followers' and inputs_with_account.views > 0
                then cast(inputs_with_account.engagements as {{ eval_double() }}) / inputs_with_account.views
            when inputs_with_account.posts > 0
                and inputs_with_account.followers_start + inputs_with_account.followers_end > 0
                then cast(inputs_with_account.engagements as {{ eval_double() }})
                    / (inputs_with_account.posts
                       * (inputs_with_account.followers_start + inputs_with_account.followers_end) / 2.0)
        end as engagement_rate
    from inputs_with_account
    inner join platforms on inputs_with_account.platform = platforms.platform

),

raw_values as (

    select
        measures.run_id,
        measures.city_code,
        measures.platform,
        platform_indicators.indicator,
        platform_indicators.dimension,
        platform_indicators.weight,
        case platform_indicators.indicator
            when 'a' then cast(measures.posts as {{ eval_double() }}) / measures.days
            when 'r' then cast(measures.views as {{ eval_double() }}) / measures.days
            when 't' then cast(measures.topic_reach as {{ eval_double() }}) / measures.days
            when 'k' then cast(measures.peak_views as {{ eval_double() }})
            when 'g' then measures.follower_change
            when 'e' then cast(measures.engagements as {{ eval_double() }}) / measures.days
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
        raw,
        case
            when indicator = 'q' then raw
            -- signed log keeps follower losses negative
            when indicator = 'g' then sign(raw) * {{ eval_log1p('abs(raw)') }}
            else {{ eval_log1p('raw') }}
        end as x
    from raw_values

)

select * from final
