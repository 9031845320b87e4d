{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with inputs as (

    select * from {{ ref('int_eval_input') }}

),

settings as (

    select * from {{ ref('int_eval_settings') }}

),

panel as (

    select count(distinct city_code) as panel_cities from inputs

),

accounts_per_platform as (

    select
        platform,
        sum(case when has_account then 1 else 0 end) as cities_with_account
    from inputs
    group by platform

),

final as (

    select
        '{{ eval_run_id() }}' as run_id,
        accounts_per_platform.platform,
        panel.panel_cities,
        accounts_per_platform.cities_with_account,
        cast(accounts_per_platform.cities_with_account as {{ eval_double() }}) / panel.panel_cities as coverage,
        settings.min_coverage,
        cast(accounts_per_platform.cities_with_account as {{ eval_double() }}) / panel.panel_cities
            >= settings.min_coverage as is_covered
    from accounts_per_platform
    cross join panel
    cross join settings

)

select * from final
