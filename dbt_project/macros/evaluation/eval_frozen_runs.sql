{#- The columns of every frozen output, in one place: the eval_* marts select exactly these
    (cast to these types), whether runs exist or not. Older runs that lack a later-added column
    read it as NULL (union_by_name). -#}
{% macro eval_output_columns(table) -%}
    {%- set text = dbt.type_string() -%}
    {%- set int = dbt.type_bigint() -%}
    {%- set dbl = eval_double() -%}
    {%- set flag = dbt.type_boolean() -%}
    {%- set ts = eval_timestamptz() -%}
    {%- set columns = {
        'eval_run': [
            ('run_id', text), ('period', text), ('methodology_version', text), ('config_sha256', text),
            ('input_cutoff', ts), ('git_commit', text), ('started_at', ts), ('finished_at', ts),
            ('status', text), ('is_official', flag), ('allow_incomplete', flag),
            ('missing_accounts', text), ('restates_run_id', text), ('panel_cities', int)],
        'eval_input': [
            ('run_id', text), ('city_code', text), ('platform', text), ('has_account', flag),
            ('accounts', int), ('days', int), ('posts', int), ('posts_with_metrics', int), ('views', int),
            ('peak_views', int), ('engagements', int), ('likes', int), ('comments', int), ('shares', int),
            ('saves', int), ('followers_start', int), ('followers_end', int), ('topic_reach', int),
            ('accounts_with_data', int), ('posts_with_views', int), ('posts_with_engagements', int), ('posts_with_likes', int),
            ('posts_with_comments', int), ('posts_with_shares', int), ('posts_with_saves', int),
            ('data_status', text)],
        'eval_indicator_score': [
            ('run_id', text), ('city_code', text), ('platform', text), ('indicator', text),
            ('dimension', text), ('raw', dbl), ('x', dbl), ('lower', dbl), ('upper', dbl), ('score', dbl),
            ('weight', dbl), ('normalisation', text), ('relative_lower', dbl), ('relative_upper', dbl),
            ('relative_score', dbl), ('anchored_lower', dbl), ('anchored_upper', dbl),
            ('anchored_score', dbl), ('is_insufficient', flag)],
        'eval_platform_score': [
            ('run_id', text), ('city_code', text), ('platform', text), ('has_account', flag),
            ('score', dbl), ('rank', int), ('anchored_score', dbl)],
        'eval_dimension_score': [
            ('run_id', text), ('city_code', text), ('platform', text), ('dimension', text),
            ('dimension_zh', text), ('score', dbl), ('anchored_score', dbl)],
        'eval_composite_score': [
            ('run_id', text), ('composite', text), ('city_code', text), ('score', dbl), ('rank', int),
            ('rank_change', int), ('previous_rank', int), ('previous_run_id', text),
            ('anchored_score', dbl)],
        'eval_platform_coverage': [
            ('run_id', text), ('platform', text), ('panel_cities', int), ('cities_with_account', int),
            ('coverage', dbl), ('min_coverage', dbl), ('is_covered', flag), ('cities_with_data', int),
            ('evaluable_cities', int), ('data_coverage', dbl)],
        'eval_indicator_availability': [
            ('run_id', text), ('platform', text), ('indicator', text), ('indicator_zh', text),
            ('dimension', text), ('is_defined', flag), ('is_used', flag), ('reason', text), ('reason_zh', text),
            ('cities_with_account', int), ('cities_with_value', int), ('cities_insufficient', int),
            ('configured_weight', dbl), ('used_weight', dbl)],
        'eval_rank_robustness': [
            ('run_id', text), ('composite', text), ('city_code', text), ('rank', int),
            ('median_rank', dbl), ('rank_p5', int), ('rank_p95', int), ('draws', int), ('seed', int)],
        'eval_supplementary': [
            ('run_id', text), ('city_code', text), ('platform', text), ('measure', text),
            ('measure_zh', text), ('value', dbl)],
        'status': [
            ('run_id', text), ('seq', int), ('is_official', flag), ('changed_at', ts), ('reason', text)],
    } -%}
    {{ return(columns[table]) }}
{%- endmacro %}


{#- Rows of one output over every frozen run; an empty, typed relation when no run exists. -#}
{% macro eval_frozen_runs(table, pattern=none) -%}
    {%- set pattern = pattern or ('run_id=*/' ~ table ~ '.parquet') -%}
    {%- set columns = eval_output_columns(table) -%}
    {%- if eval_files_exist(pattern) %}
    select
        {%- for name, type in columns %}
        cast({{ adapter.quote(name) }} as {{ type }}) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ eval_run_files(pattern) }}
    {%- else %}
    select
        {%- for name, type in columns %}
        cast(null as {{ type }}) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif %}
{%- endmacro %}


{#- An eval_ mart: every frozen run's rows of one output, joined to the run for period, methodology
    version and officialness (the eval_ marts other than eval_run and eval_diag_*). -#}
{% macro eval_run_mart(table) -%}
with frozen_rows as (

    {{ eval_frozen_runs(table) }}

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
