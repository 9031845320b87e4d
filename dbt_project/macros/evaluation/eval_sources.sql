{#- Where the evaluation reads its frozen files. DuckDB reads parquet directly; other warehouses
    would stage the files first, so they get an explicit error instead of a silent wrong answer. -#}

{% macro eval_frozen(name) -%}
    {{ return(adapter.dispatch('eval_frozen', 'citypulse')(name)) }}
{%- endmacro %}

{% macro default__eval_frozen(name) -%}
    {{ exceptions.raise_compiler_error("eval_frozen: reading frozen run files is implemented for duckdb only") }}
{%- endmacro %}

{% macro duckdb__eval_frozen(name) -%}
    read_parquet('{{ env_var("CITYPULSE_EVAL_RUN_DIR", "") }}/{{ name }}.parquet')
{%- endmacro %}


{#- All frozen runs' files of one output table (evaluations/run_id=*/<table>.parquet). -#}
{% macro eval_run_files(pattern) -%}
    {{ return(adapter.dispatch('eval_run_files', 'citypulse')(pattern)) }}
{%- endmacro %}

{% macro default__eval_run_files(pattern) -%}
    {{ exceptions.raise_compiler_error("eval_run_files: implemented for duckdb only") }}
{%- endmacro %}

{% macro duckdb__eval_run_files(pattern) -%}
    read_parquet('{{ var("evaluations_root") }}/{{ pattern }}', union_by_name = true, hive_partitioning = false)
{%- endmacro %}


{#- True when at least one file matches; false at parse time and when no run exists yet, so the
    eval_* marts build empty (with their columns and types) on a fresh warehouse. -#}
{% macro eval_files_exist(pattern) -%}
    {{ return(adapter.dispatch('eval_files_exist', 'citypulse')(pattern)) }}
{%- endmacro %}

{% macro default__eval_files_exist(pattern) -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__eval_files_exist(pattern) -%}
    {% if not execute %}{{ return(false) }}{% endif %}
    {% set found = run_query("select count(*) from glob('" ~ var("evaluations_root") ~ "/" ~ pattern ~ "')") %}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}


{#- The run being scored, read from the run folder rather than rendered into the models, so that
    dbt's partial parsing finds nothing changed from one run to the next. -#}
{% macro eval_run_id() -%}
    (select run_id from {{ eval_frozen('source_run') }})
{%- endmacro %}
