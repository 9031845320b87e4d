{#
  An eval_diag_* mart: the run's frozen <file>.parquet files (written by citypulse.diagnostics),
  typed, joined to the run for period, methodology version and officialness; empty and typed when
  no run has the file. ``columns`` is a list of (name, kind), kind one of
  text | int | double | flag | timestamp | date.
#}
{% macro eval_diag_mart(file, columns) -%}
{%- set types = {
        'text': dbt.type_string(),
        'int': dbt.type_bigint(),
        'double': eval_double(),
        'flag': dbt.type_boolean(),
        'timestamp': eval_timestamptz(),
        'date': 'date'} -%}
{%- set pattern = 'run_id=*/' ~ file ~ '.parquet' -%}
{%- set found = eval_files_exist(pattern) %}

with frozen_rows as (

    select
        {%- for column, kind in columns %}
        {%- if found %}
        cast({{ adapter.quote(column) }} as {{ types[kind] }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- else %}
        cast(null as {{ types[kind] }}) as {{ adapter.quote(column) }}{{ "," if not loop.last }}
        {%- endif %}
        {%- endfor %}
    {%- if found %}
    from {{ eval_run_files(pattern) }}
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
{%- endmacro %}
