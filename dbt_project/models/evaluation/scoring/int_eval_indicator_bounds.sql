{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with settings as (

    select * from {{ ref('int_eval_settings') }}

),

-- The cross-section S(p, m): cities that have an account and a known value.
ordered_values as (

    select
        values_.platform,
        values_.indicator,
        values_.x,
        row_number() over (partition by values_.platform, values_.indicator order by values_.x) - 1 as position,
        (count(*) over (partition by values_.platform, values_.indicator) - 1) * settings.q_lo as h_lower,
        (count(*) over (partition by values_.platform, values_.indicator) - 1) * settings.q_hi as h_upper
    from {{ ref('int_eval_indicator_values') }} as values_
    cross join settings
    where values_.x is not null

),

relative_bounds as (

    select
        platform,
        indicator,
        count(*) as cross_section_size,
        {{ eval_interpolated('x', 'position', 'h_lower') }} as relative_lower,
        {{ eval_interpolated('x', 'position', 'h_upper') }} as relative_upper
    from ordered_values
    group by platform, indicator, h_lower, h_upper

),

platform_indicators as (

    select distinct platform, indicator from {{ ref('int_eval_indicator_values') }}

),

goalposts as (

    select
        platform,
        indicator,
        cast(lower as {{ eval_double() }}) as anchored_lower,
        cast(upper as {{ eval_double() }}) as anchored_upper
    from {{ eval_frozen('config_goalposts') }}

),

final as (

    select
        platform_indicators.platform,
        platform_indicators.indicator,
        coalesce(relative_bounds.cross_section_size, 0) as cross_section_size,
        relative_bounds.relative_lower,
        relative_bounds.relative_upper,
        goalposts.anchored_lower,
        goalposts.anchored_upper
    from platform_indicators
    left join relative_bounds
        on platform_indicators.platform = relative_bounds.platform
        and platform_indicators.indicator = relative_bounds.indicator
    left join goalposts
        on platform_indicators.platform = goalposts.platform
        and platform_indicators.indicator = goalposts.indicator

)

select * from final
