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
        cast(max(case when setting = 'search_top_n' then value end) as {{ dbt.type_int() }}) as search_top_n,
        -- rules of later versions; absent (an earlier version) they are off, so its runs reproduce
        cast(max(case when setting = 'min_data_coverage' then value end) as {{ eval_double() }})
            as min_data_coverage,
        coalesce(max(case when setting = 'drop_unavailable_indicators' then value end), 'false') = 'true'
            as drop_unavailable_indicators
    from settings

)

select * from final
