{#
  Rows that share the key must agree on the compared columns. Repeats that agree are legitimate
  (a search crawl lists the same post once per keyword) and are collapsed downstream; repeats that
  disagree mean one export says two different things about one observation, which nobody can
  resolve automatically.
#}
{% test no_conflicting_duplicates(model, combination_of_columns, compare_columns) %}
    {#- A column disagrees within a key when it holds two different values, or a value beside a NULL
        (NULL = unknown, a different statement from any number). min/max and counts say that in one
        pass; count(distinct cast(... as string)) per column said the same at ~7x the cost
        (24 s vs 3 s at 1M rows). -#}
    select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
    having count(*) > 1
       and (
        {%- for column in compare_columns %}
           min({{ column }}) <> max({{ column }})
           or (count({{ column }}) > 0 and count({{ column }}) < count(*))
           {%- if not loop.last %} or{% endif %}
        {%- endfor %}
       )
{% endtest %}
