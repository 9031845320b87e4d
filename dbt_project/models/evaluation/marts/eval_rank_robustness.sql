{{ config(tags=['eval_marts']) }}

with frozen_rows as (

    {{ eval_frozen_runs('eval_rank_robustness') }}

),

runs as (

    select run_id, period, methodology_version, is_official from {{ ref('eval_run') }}

),

final as (

    select
        runs.period,
        runs.methodology_version,
        runs.is_official,
        frozen_rows.*
    from frozen_rows
    inner join runs on frozen_rows.run_id = runs.run_id

)

select * from final
