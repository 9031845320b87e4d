{{ config(tags=['eval_marts']) }}

{#- The run's frozen diag_clusters.parquet files (citypulse.diagnostics); empty and typed when no run has them. -#}
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
        ('cluster_id', text),
        ('cluster_size', int),
        ('cluster_accounts', int),
        ('example_rank', int),
        ('post_id', text),
        ('account_id', text),
        ('account_name', text),
        ('title', text),
        ('post_url', text),
        ('published_at', ts)] -%}
{%- set found = eval_files_exist('run_id=*/diag_clusters.parquet') %}

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
    from {{ eval_run_files('run_id=*/diag_clusters.parquet') }}
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
