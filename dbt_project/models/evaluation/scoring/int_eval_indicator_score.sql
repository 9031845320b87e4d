{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

-- only the indicators the run uses (int_eval_indicator_availability)
with indicator_values as (

    select values_.*
    from {{ ref('int_eval_indicator_values') }} as values_
    inner join {{ ref('int_eval_indicator_availability') }} as availability
        on values_.platform = availability.platform
        and values_.indicator = availability.indicator
    where availability.is_used

),

bounds as (

    select * from {{ ref('int_eval_indicator_bounds') }}

),

settings as (

    select * from {{ ref('int_eval_settings') }}

),

-- §3.4/§3.5: a city with an account but no value scores 0; U = L carries no information -> 50.
-- A value left out for too little data (数据不足) has no score: the platform score renormalises.
scored as (

    select
        indicator_values.*,
        bounds.relative_lower,
        bounds.relative_upper,
        bounds.anchored_lower,
        bounds.anchored_upper,
        case
            when indicator_values.is_insufficient then null
            when indicator_values.x is null then 0
            when bounds.relative_upper > bounds.relative_lower
                then {{ eval_clipped_score('indicator_values.x', 'bounds.relative_lower', 'bounds.relative_upper') }}
            else 50
        end as relative_score,
        case
            when bounds.anchored_lower is null or bounds.anchored_upper is null then null
            when indicator_values.is_insufficient then null
            when indicator_values.x is null then 0
            else {{ eval_clipped_score('indicator_values.x', 'bounds.anchored_lower', 'bounds.anchored_upper') }}
        end as anchored_score
    from indicator_values
    inner join bounds
        on indicator_values.platform = bounds.platform
        and indicator_values.indicator = bounds.indicator

),

final as (

    select
        scored.run_id,
        scored.city_code,
        scored.platform,
        scored.indicator,
        scored.dimension,
        scored.raw,
        scored.x,
        case when settings.normalisation = 'anchored' then scored.anchored_lower else scored.relative_lower end
            as lower,
        case when settings.normalisation = 'anchored' then scored.anchored_upper else scored.relative_upper end
            as upper,
        case when settings.normalisation = 'anchored' then scored.anchored_score else scored.relative_score end
            as score,
        scored.weight,
        settings.normalisation,
        scored.relative_lower,
        scored.relative_upper,
        scored.relative_score,
        scored.anchored_lower,
        scored.anchored_upper,
        scored.anchored_score,
        scored.is_insufficient
    from scored
    cross join settings

)

select * from final
