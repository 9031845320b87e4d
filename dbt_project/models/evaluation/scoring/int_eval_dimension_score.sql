{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with indicator_scores as (

    select * from {{ ref('int_eval_indicator_score') }}

),

final as (

    select
        run_id,
        city_code,
        platform,
        dimension,
        case dimension
            when 'activity' then '活跃度'
            when 'reach' then '传播范围'
            when 'influence' then '影响力'
            when 'engagement' then '用户参与度'
        end as dimension_zh,
        -- renormalised over the indicators with a score (none has one without enough data)
        sum(weight * score) / sum(case when score is not null then weight end) as score,
        case
            when count(anchored_lower) = count(*)
                then sum(weight * anchored_score) / sum(case when anchored_score is not null then weight end)
        end as anchored_score
    from indicator_scores
    group by run_id, city_code, platform, dimension

)

select * from final
