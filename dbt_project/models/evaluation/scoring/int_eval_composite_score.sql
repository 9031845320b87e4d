{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with platform_scores as (

    select * from {{ ref('int_eval_platform_score') }}

),

-- P*: only platforms whose account coverage reaches min_coverage enter a composite (§3.5).
covered_weights as (

    select
        weights.composite,
        weights.platform,
        cast(weights.weight as {{ eval_double() }}) as weight
    from {{ eval_frozen('config_composite_weights') }} as weights
    inner join {{ ref('int_eval_platform_coverage') }} as coverage
        on weights.platform = coverage.platform
    where coverage.is_covered

),

composites as (

    select
        platform_scores.run_id,
        covered_weights.composite,
        platform_scores.city_code,
        sum(covered_weights.weight * platform_scores.score) / sum(covered_weights.weight) as score,
        sum(covered_weights.weight * platform_scores.anchored_score) / sum(covered_weights.weight)
            as anchored_score
    from platform_scores
    inner join covered_weights on platform_scores.platform = covered_weights.platform
    group by platform_scores.run_id, covered_weights.composite, platform_scores.city_code
    having sum(covered_weights.weight) > 0

),

ranked as (

    select
        composites.*,
        rank() over (partition by composite order by score desc) as rank
    from composites

),

previous as (

    select composite, city_code, run_id as previous_run_id, rank as previous_rank
    from {{ eval_frozen('source_previous_composite') }}

),

final as (

    select
        ranked.run_id,
        ranked.composite,
        ranked.city_code,
        ranked.score,
        ranked.rank,
        -- positive = moved up since the previous period's official run
        previous.previous_rank - ranked.rank as rank_change,
        previous.previous_rank,
        previous.previous_run_id,
        ranked.anchored_score
    from ranked
    left join previous
        on ranked.composite = previous.composite
        and ranked.city_code = previous.city_code

)

select * from final
