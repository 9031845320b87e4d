{# Shares and rates lie in [0, 1]; NULL (unknown) passes. #}
{% test between_zero_and_one(model, column_name) %}
    select {{ column_name }} as value
    from {{ model }}
    where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
