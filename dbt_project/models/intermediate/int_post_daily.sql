{{
    config(
        materialized='incremental',
        unique_key=['platform', 'post_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per post per local day it was observed: the end-of-day cumulative values and the change
-- since the previous observed day. The first observed day carries everything before it (flagged when
-- that day is after the publication day); a fall is kept and flagged as a correction, never clamped.
with observations as (
    select
        platform,
        post_id,
        {{ local_date('published_at') }} as published_date,
        observed_at,
        {{ local_date('observed_at') }} as date_day,
        views,
        likes,
        comments,
        shares,
        saves,
        {{ engagements() }} as engagements,
        ingest_id
    from {{ ref('stg_post_observations') }} as observed
    {% if is_incremental() %}
    -- incremental (a table: the windows below run on the changed posts only, not on every
    -- observation): every day of each post touched by an ingest not yet in this table is redone
    where exists (
        select 1
        from {{ ref('stg_post_observations') }} as changed
        where changed.platform = observed.platform and changed.post_id = observed.post_id
            and changed.ingest_id not in (select distinct ingest_id from {{ this }})
    )
    {% endif %}
),

ranked_in_day as (
    select
        observations.*,
        row_number() over (partition by platform, post_id, date_day order by observed_at desc) as rank_in_day,
        min(published_date) over (partition by platform, post_id) as post_published_date
    from observations
),

end_of_day as (
    select * from ranked_in_day where rank_in_day = 1
),

with_previous as (
    select
        end_of_day.*,
        row_number() over (partition by platform, post_id order by date_day) as observed_day_number,
        {%- for metric in ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
        {{ previous_known(metric, 'platform, post_id', 'date_day') }} as previous_{{ metric }}{{ "," if not loop.last }}
        {%- endfor %}
    from end_of_day
),

final as (
    select
        platform,
        post_id,
        date_day,
        observed_at as last_observed_at,
        {%- for metric in ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
        {{ metric }},
        {{ metric }} - coalesce(previous_{{ metric }}, 0) as {{ metric }}_delta,
        {%- endfor %}
        observed_day_number = 1
            and (post_published_date is null or date_day > post_published_date) as carries_prior_accumulation,
        coalesce(
            {%- for metric in ['views', 'likes', 'comments', 'shares', 'saves'] %}
            {{ metric }} < previous_{{ metric }}{{ " or" if not loop.last }}
            {%- endfor %}
        , false) as is_correction,
        ingest_id
    from with_previous
)

select * from final
