{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with inputs as (

    select * from {{ ref('int_eval_input') }}

),

-- PCI: weights renormalised over the indicators the run uses for the platform and that have a
-- score for the city (§3.5; NULL when none has: 数据不足). The anchored PCI exists only when every
-- indicator of the platform has goalposts.
weighted as (

    select
        city_code,
        platform,
        sum(weight * score) / sum(case when score is not null then weight end) as score,
        case
            when count(anchored_lower) = count(*)
                then sum(weight * anchored_score) / sum(case when anchored_score is not null then weight end)
        end as anchored_score
    from {{ ref('int_eval_indicator_score') }}
    group by city_code, platform

),

-- PCI*: a city without an account on the platform counts as zero presence; a city with an account
-- but no usable data keeps NULL (not zero), and its composites renormalise over its other platforms.
with_absent as (

    select
        inputs.run_id,
        inputs.city_code,
        inputs.platform,
        inputs.has_account,
        case when inputs.has_account then weighted.score else 0 end as score,
        case when inputs.has_account then weighted.anchored_score else 0 end as anchored_score
    from inputs
    left join weighted
        on inputs.city_code = weighted.city_code
        and inputs.platform = weighted.platform

),

final as (

    select
        run_id,
        city_code,
        platform,
        has_account,
        score,
        case
            when has_account and score is not null
                then rank() over (partition by platform, has_account, score is null order by score desc)
        end as rank,
        anchored_score
    from with_absent

)

select * from final
