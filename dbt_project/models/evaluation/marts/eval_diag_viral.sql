{{ config(tags=['eval_marts']) }}

{#- The run's frozen diag_viral.parquet files (citypulse.diagnostics); empty and typed when no run has them. -#}
{%- set text = dbt.type_string() -%}
{%- set int = dbt.type_bigint() -%}
{%- set dbl = eval_double() -%}
{%- set flag = dbt.type_boolean() -%}
{%- set ts = eval_timestamptz() -%}
{%- set day = 'date' -%}
{%- set columns = [
        ('run_id', text),
        ('city_code', text),
        ('platform', text),
        ('account_id', text),
        ('account_name', text),
        ('post_id', text),
        ('title', text),
        ('post_url', text),
        ('date_day', day),
        ('views', int),
        ('views_growth', int),
        ('views_p99', dbl),
        ('engagements', int),
        ('engagements_growth', int),
        ('engagements_p99', dbl),
        ('views_viral', flag),
        ('engagements_viral', flag)] -%}
{%- set found = eval_files_exist('run_id=*/diag_viral.parquet') %}

with frozen_rows as (

    select
        {%- for column, type in columns %}
        {%- if found %}
        cast({{ adapter.quote(column) }} as {{ type }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- else %}
        cast(null as {{ type }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    {%- if found %}
    from {{ eval_run_files('run_id=*/diag_viral.parquet') }}
    {%- else %}
    where 1 = 0
    {%- endif %}

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
