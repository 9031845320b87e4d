{#
  A running total should not fall from one observation to the next by more than `tolerance` of its
  previous value. Platforms do correct counts (spam removal), so this is a warning by default: the
  fall is kept and flagged in fct_post_daily.is_correction, never clamped.
#}
{% test monotonic_cumulative(model, column_name, partition_by, order_by, tolerance=none) %}
    {{ config(severity='warn') }}
    {%- set allowed = tolerance if tolerance is not none else var('monotonic_tolerance') -%}
    with ordered as (
        select
            {{ column_name }} as current_value,
            lag({{ column_name }}) over (partition by {{ partition_by }} order by {{ order_by }}) as previous_value
        from {{ model }}
    )
    select *
    from ordered
    where current_value < previous_value * (1 - {{ allowed }})
{% endtest %}
