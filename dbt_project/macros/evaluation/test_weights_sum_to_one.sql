{#- Generic test: within each group, the weights sum to 1 (±1e-9). Fails with one row per bad group. -#}
{% test weights_sum_to_one(model, column_name, group_by) %}

with weight_totals as (

    select
        {{ group_by | join(', ') }},
        sum(cast({{ column_name }} as {{ eval_double() }})) as total_weight
    from {{ model }}
    group by {{ group_by | join(', ') }}

),

final as (

    select * from weight_totals where abs(total_weight - 1) > 1e-9

)

select * from final

{% endtest %}


{#- Generic test: every value of the column is one of the indicators methodology v1 defines. -#}
{% test known_indicator(model, column_name) %}

select {{ column_name }} as unknown_indicator
from {{ model }}
where {{ column_name }} not in ('a', 'r', 't', 'k', 'g', 'e', 'q') or {{ column_name }} is null

{% endtest %}
