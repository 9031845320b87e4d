{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

{#- Which indicators a run used per platform, and why the others were left out (§3.5, §5.4): an
    indicator the platform defines but no city has a value for carries no information, so versions
    with drop_unavailable_indicators leave it out and renormalise the platform's weights. -#}

with settings as (

    select * from {{ ref('int_eval_settings') }}

),

indicator_values as (

    select
        platform,
        indicator,
        count(*) as cities_with_account,
        count(x) as cities_with_value,
        sum(case when is_insufficient then 1 else 0 end) as cities_insufficient
    from {{ ref('int_eval_indicator_values') }}
    group by platform, indicator

),

configured as (

    select
        platforms.platform,
        indicators.indicator,
        indicators.indicator_zh,
        indicators.dimension,
        cast(indicators.weight as {{ eval_double() }}) as configured_weight,
        platform_indicators.indicator is not null as is_defined
    from {{ eval_frozen('config_platforms') }} as platforms
    cross join {{ eval_frozen('config_indicators') }} as indicators
    left join {{ eval_frozen('config_platform_indicators') }} as platform_indicators
        on platforms.platform = platform_indicators.platform
        and indicators.indicator = platform_indicators.indicator

),

decided as (

    select
        configured.platform,
        configured.indicator,
        configured.indicator_zh,
        configured.dimension,
        configured.configured_weight,
        configured.is_defined,
        coalesce(indicator_values.cities_with_account, 0) as cities_with_account,
        coalesce(indicator_values.cities_with_value, 0) as cities_with_value,
        coalesce(indicator_values.cities_insufficient, 0) as cities_insufficient,
        case
            when not configured.is_defined then 'not_defined_for_platform'
            when coalesce(indicator_values.cities_with_value, 0) > 0 then 'used'
            when settings.drop_unavailable_indicators then 'no_value_for_any_city'
            else 'used_without_value'
        end as reason
    from configured
    cross join settings
    left join indicator_values
        on configured.platform = indicator_values.platform
        and configured.indicator = indicator_values.indicator

),

final as (

    select
        {{ eval_run_id() }} as run_id,
        platform,
        indicator,
        indicator_zh,
        dimension,
        is_defined,
        reason in ('used', 'used_without_value') as is_used,
        reason,
        case reason
            when 'used' then '采用'
            when 'used_without_value' then '采用（无城市有数据，各城市计0分）'
            when 'no_value_for_any_city' then '剔除：无城市有数据，权重在其余指标间重新分配'
            when 'not_defined_for_platform' then '不适用：该平台未定义此指标'
        end as reason_zh,
        cities_with_account,
        cities_with_value,
        cities_insufficient,
        configured_weight,
        case
            when reason in ('used', 'used_without_value')
                then configured_weight / sum(case when reason in ('used', 'used_without_value')
                    then configured_weight end) over (partition by platform)
        end as used_weight
    from decided

)

select * from final
