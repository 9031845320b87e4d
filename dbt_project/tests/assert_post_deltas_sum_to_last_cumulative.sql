-- Each post's daily deltas add up to its last known cumulative value (nothing lost, nothing counted twice).
-- On the posts the audit covers (macros/audit_scope.sql), each with all of its days.
-- A day whose delta is the platform's own value (fct_post_daily.daily_source = 'platform' and the
-- platform reported the metric) counts the platform's way, not the public counter's: per metric the
-- sum runs up to the last day whose delta was derived from the snapshots, and equals that day's
-- cumulative value (for a post without platform days: its last known cumulative value, as before).
{%- set metrics = ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
with post_days as (
    select * from {{ ref('fct_post_daily') }}
    where {{ audit_scope() }}
),

reported as (
    select
        platform,
        post_id,
        {{ adapter.quote('date') }} as date_day,
        views,
        likes,
        comments,
        shares,
        cast(null as {{ dbt.type_bigint() }}) as saves,
        {{ engagements() }} as engagements
    from {{ ref('stg_post_daily') }}
),

sourced as (
    select
        post_days.post_key,
        post_days.date_day,
        {%- for metric in metrics %}
        post_days.{{ metric }},
        post_days.{{ metric }}_delta,
        post_days.daily_source = 'platform' and reported.{{ metric }} is not null as {{ metric }}_reported{{ "," if not loop.last }}
        {%- endfor %}
    from post_days
    left join reported
        on post_days.platform = reported.platform
        and post_days.post_id = reported.post_id
        and post_days.date_day = reported.date_day
),

last_known as (
    select
        post_key,
        {%- for metric in metrics %}
        max(case when {{ metric }}_known_rank = 1 and not {{ metric }}_reported then date_day end) as last_{{ metric }}_day,
        max(case when {{ metric }}_known_rank = 1 and not {{ metric }}_reported then {{ metric }} end) as last_{{ metric }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            sourced.*,
            {%- for metric in metrics %}
            row_number() over (
                partition by post_key order by ({{ metric }} is null or {{ metric }}_reported), date_day desc
            ) as {{ metric }}_known_rank{{ "," if not loop.last }}
            {%- endfor %}
        from sourced
    ) as ranked
    group by post_key
),

per_post as (
    select
        sourced.post_key,
        {%- for metric in metrics %}
        sum(case when sourced.date_day <= last_known.last_{{ metric }}_day then sourced.{{ metric }}_delta end)
            as {{ metric }}_delta_sum,
        {%- endfor %}
        max(sourced.date_day) as last_day
    from sourced
    inner join last_known on sourced.post_key = last_known.post_key
    group by sourced.post_key
)

select per_post.*
from per_post
inner join last_known on per_post.post_key = last_known.post_key
where
    {%- for metric in metrics %}
    coalesce(per_post.{{ metric }}_delta_sum, -1) <> coalesce(last_known.last_{{ metric }}, -1){{ " or" if not loop.last }}
    {%- endfor %}
