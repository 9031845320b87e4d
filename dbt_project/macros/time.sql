{# The Asia/Shanghai calendar day of a UTC timestamp (var local_tz). #}
{% macro local_date(timestamp_expression) -%}
    {{ return(adapter.dispatch('local_date', 'citypulse')(timestamp_expression)) }}
{%- endmacro %}

{% macro duckdb__local_date(timestamp_expression) -%}
    cast(timezone('{{ var("local_tz") }}', {{ timestamp_expression }}) as date)
{%- endmacro %}

{% macro postgres__local_date(timestamp_expression) -%}
    cast(({{ timestamp_expression }}) at time zone '{{ var("local_tz") }}' as date)
{%- endmacro %}

{# One row per day from start_day to end_day (inclusive) of a one-row relation `bounds`; column date_day. #}
{% macro date_spine(bounds) -%}
    {{ return(adapter.dispatch('date_spine', 'citypulse')(bounds)) }}
{%- endmacro %}

{% macro duckdb__date_spine(bounds) -%}
    select cast(unnest(generate_series(start_day, end_day, interval 1 day)) as date) as date_day
    from {{ bounds }}
{%- endmacro %}

{% macro postgres__date_spine(bounds) -%}
    select cast(generate_series(start_day, end_day, interval '1 day') as date) as date_day
    from {{ bounds }}
{%- endmacro %}

{# The last non-NULL value before the current row (NULL counts are unknown, not zero). #}
{% macro previous_known(expression, partition_by, order_by) -%}
    {{ return(adapter.dispatch('previous_known', 'citypulse')(expression, partition_by, order_by)) }}
{%- endmacro %}

{% macro default__previous_known(expression, partition_by, order_by) -%}
    last_value({{ expression }} ignore nulls) over (
        partition by {{ partition_by }} order by {{ order_by }}
        rows between unbounded preceding and 1 preceding
    )
{%- endmacro %}

{# ISO day of week, Monday = 1 … Sunday = 7. #}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'citypulse')(date_expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}
