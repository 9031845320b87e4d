{{ config(enabled=env_var('CITYPULSE_EVAL_RUN_DIR', '') != '', tags=['eval_scoring']) }}

with inputs as (

    select * from {{ ref('int_eval_input') }}

),

settings as (

    select * from {{ ref('int_eval_settings') }}

),

-- evaluable cities: usable data on at least one platform (a panel city without any, e.g. whose
-- exports never landed, cannot be ranked and does not dilute every platform's coverage)
panel as (

    select
        count(distinct city_code) as panel_cities,
        count(distinct case when data_status in ('ok', 'no_posts') then city_code end) as evaluable_cities
    from inputs

),

accounts_per_platform as (

    select
        platform,
        sum(case when has_account then 1 else 0 end) as cities_with_account,
        sum(case when data_status in ('ok', 'no_posts') then 1 else 0 end) as cities_with_data
    from inputs
    group by platform

),

final as (

    select
        {{ eval_run_id() }} as run_id,
        accounts_per_platform.platform,
        panel.panel_cities,
        accounts_per_platform.cities_with_account,
        cast(accounts_per_platform.cities_with_account as {{ eval_double() }}) / panel.panel_cities as coverage,
        settings.min_coverage,
        -- versions with a data-coverage rule count the cities with usable data among the evaluable
        -- ones, earlier versions the cities with an account among the panel
        case
            when settings.min_data_coverage is null
                then cast(accounts_per_platform.cities_with_account as {{ eval_double() }}) / panel.panel_cities
            when panel.evaluable_cities > 0
                then cast(accounts_per_platform.cities_with_data as {{ eval_double() }}) / panel.evaluable_cities
            else 0
        end >= settings.min_coverage as is_covered,
        accounts_per_platform.cities_with_data,
        panel.evaluable_cities,
        case when panel.evaluable_cities > 0
            then cast(accounts_per_platform.cities_with_data as {{ eval_double() }}) / panel.evaluable_cities
        end as data_coverage
    from accounts_per_platform
    cross join panel
    cross join settings

)

select * from final
