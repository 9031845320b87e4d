{#
  Rows that share the key must agree on the compared columns. Repeats that agree are legitimate
  (a search crawl lists the same post once per keyword) and are collapsed downstream; repeats that
  disagree mean one export says two different things about one observation, which nobody can
  resolve automatically.
#}
{% test no_conflicting_duplicates(model, combination_of_columns, compare_columns) %}
    select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
       and (
        {%- for column in compare_columns %}
           count(distinct coalesce(cast({{ column }} as {{ dbt.type_string() }}), '<null>')) > 1
           {%- if not loop.last %} or{% endif %}
        {%- endfor %}
       )
{% endtest %}
