-- Each post's daily deltas add up to its last known cumulative value (nothing lost, nothing counted twice).
-- On the posts the audit covers (macros/audit_scope.sql), each with all of its days.
{%- set metrics = ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
with post_days as (
    select * from {{ ref('fct_post_daily') }}
    where {{ audit_scope() }}
),

per_post as (
    select
        post_key,
        {%- for metric in metrics %}
        sum({{ metric }}_delta) as {{ metric }}_delta_sum,
        {%- endfor %}
        max(date_day) as last_day
    from post_days
    group by post_key
),

last_known as (
    select
        post_key,
        {%- for metric in metrics %}
        max(case when {{ metric }}_known_rank = 1 then {{ metric }} end) as last_{{ metric }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            post_key,
            {%- for metric in metrics %}
            {{ metric }},
            row_number() over (partition by post_key order by ({{ metric }} is null), date_day desc) as {{ metric }}_known_rank{{ "," if not loop.last }}
            {%- endfor %}
        from post_days
    ) as ranked
    group by post_key
)

select per_post.*
from per_post
inner join last_known on per_post.post_key = last_known.post_key
where
    {%- for metric in metrics %}
    coalesce(per_post.{{ metric }}_delta_sum, -1) <> coalesce(last_known.last_{{ metric }}, -1){{ " or" if not loop.last }}
    {%- endfor %}
