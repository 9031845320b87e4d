{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with settings as (

    select setting, value from {{ eval_frozen('config_settings') }}

),

final as (

    select
        max(case when setting = 'normalisation' then value end) as normalisation,
        cast(max(case when setting = 'q_lo' then value end) as {{ eval_double() }}) as q_lo,
        cast(max(case when setting = 'q_hi' then value end) as {{ eval_double() }}) as q_hi,
        cast(max(case when setting = 'min_coverage' then value end) as {{ eval_double() }}) as min_coverage,
        cast(max(case when setting = 'search_top_n' then value end) as {{ dbt.type_int() }}) as search_top_n
    from settings

)

select * from final
