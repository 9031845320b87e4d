{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with settings as (

    select * from {{ ref('int_eval_settings') }}

),

-- versions with a data-coverage rule rank only cities with usable data on some platform; the
-- others would rank on nothing but absences
ranked_cities as (

    select distinct inputs.city_code
    from {{ ref('int_eval_input') }} as inputs
    cross join settings
    where settings.min_data_coverage is null or inputs.data_status in ('ok', 'no_posts')

),

platform_scores as (

    select platform_score.*
    from {{ ref('int_eval_platform_score') }} as platform_score
    inner join ranked_cities on platform_score.city_code = ranked_cities.city_code

),

-- P*: only platforms whose coverage reaches min_coverage enter a composite (§3.5), whatever their
-- configured weight (TikTok enters at its weight once enough cities have data on it).
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
        sum(covered_weights.weight * platform_scores.score)
            / sum(case when platform_scores.score is not null then covered_weights.weight end) as score,
        sum(covered_weights.weight * platform_scores.anchored_score)
            / sum(case when platform_scores.anchored_score is not null then covered_weights.weight end)
            as anchored_score
    from platform_scores
    inner join covered_weights on platform_scores.platform = covered_weights.platform
    group by platform_scores.run_id, covered_weights.composite, platform_scores.city_code
    -- a city without usable data on every covered platform of a composite is not ranked in it
    having sum(case when platform_scores.score is not null then covered_weights.weight end) > 0

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
