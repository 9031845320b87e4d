{# Surrogate keys are md5 hex of the natural key (docs/marts-contract.md); NULL parts stay distinguishable. #}
{% macro surrogate_key(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ key_text(column) ~ ", '∅')") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{# A key part as text. Keys must not depend on the engine: Spark renders an instant without the
   '+00' DuckDB writes for timestamptz (macros/dialect/spark.sql adds it). #}
{% macro key_text(column) -%}
    {{ return(adapter.dispatch('key_text', 'citypulse')(column)) }}
{%- endmacro %}

{% macro default__key_text(column) -%}
    cast({{ column }} as {{ dbt.type_string() }})
{%- endmacro %}
