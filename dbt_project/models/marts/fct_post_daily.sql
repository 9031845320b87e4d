-- depends_on: {{ ref('stg_post_observations') }}
{{
    config(
        materialized='incremental',
        unique_key='post_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Incremental: every day of each post touched by a new ingest (snapshot or platform daily values) is
-- recomputed (deltas depend on the previous days), and replaces that post's rows (unique_key
-- post_key), as in a full refresh.
--
-- Where the platform reports a post's own value for a day (stg_post_daily), that value is the day's
-- delta (daily_source = 'platform'); a metric it does not report keeps the snapshot-derived delta.
-- A derived delta counts only what the platform's days have not already counted: it is the
-- cumulative value minus everything attributed to earlier days (the previous derived day's
-- cumulative plus the platform values since), so a snapshot taken after a run of platform days does
-- not count those days twice, and up to every derived day the deltas still add up to its cumulative
-- value. Posts known only from platform daily values (no snapshot, hence no dim_post row) are left
-- out, as every post fact hangs off dim_post.
{%- set metrics = ['views', 'likes', 'comments', 'shares', 'saves', 'engagements'] %}
with daily as (
    select * from {{ ref('int_post_daily') }}
),

-- keys and ids as shown (PIPL): one pseudonymous id per post in every mart
posts as (
    select platform, post_id, post_key, post_pseudonym, post_id_public, account_id_public
    from {{ ref('int_post_identities') }}
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
        -- no platform daily export reports saves
        cast(null as {{ dbt.type_bigint() }}) as saves,
        {{ engagements() }} as engagements,
        ingest_id
    from {{ ref('stg_post_daily') }}
),

{% if is_incremental() %}
changed_posts as (
    select distinct platform, post_id
    from {{ ref('stg_post_observations') }}
    where ingest_id not in (select distinct ingest_id from {{ this }})
    union
    select distinct platform, post_id
    from {{ ref('stg_post_daily') }}
    where ingest_id not in (select distinct daily_ingest_id from {{ this }} where daily_ingest_id is not null)
),

daily_to_process as (
    select daily.*
    from daily
    inner join changed_posts on daily.platform = changed_posts.platform and daily.post_id = changed_posts.post_id
),

reported_to_process as (
    select reported.*
    from reported
    inner join changed_posts on reported.platform = changed_posts.platform and reported.post_id = changed_posts.post_id
    inner join posts on reported.platform = posts.platform and reported.post_id = posts.post_id
),
{% else %}
daily_to_process as (
    select * from daily
),

reported_to_process as (
    select reported.*
    from reported
    inner join posts on reported.platform = posts.platform and reported.post_id = posts.post_id
),
{% endif %}

post_days as (
    select
        coalesce(daily_to_process.platform, reported_to_process.platform) as platform,
        coalesce(daily_to_process.post_id, reported_to_process.post_id) as post_id,
        coalesce(daily_to_process.date_day, reported_to_process.date_day) as date_day,
        daily_to_process.last_observed_at,
        {%- for metric in metrics %}
        daily_to_process.{{ metric }},
        reported_to_process.{{ metric }} as reported_{{ metric }},
        {%- endfor %}
        daily_to_process.carries_prior_accumulation,
        daily_to_process.is_correction,
        daily_to_process.ingest_id as snapshot_ingest_id,
        reported_to_process.ingest_id as daily_ingest_id
    from daily_to_process
    full outer join reported_to_process
        on daily_to_process.platform = reported_to_process.platform
        and daily_to_process.post_id = reported_to_process.post_id
        and daily_to_process.date_day = reported_to_process.date_day
),

-- per metric, the cumulative value less the platform's values up to the day: what derived days count
anchored as (
    select
        post_days.*,
        {%- for metric in metrics %}
        case when reported_{{ metric }} is null then
            {{ metric }} - coalesce(sum(reported_{{ metric }}) over (
                partition by platform, post_id order by date_day rows between unbounded preceding and current row
            ), 0)
        end as anchor_{{ metric }}{{ "," if not loop.last }}
        {%- endfor %}
    from post_days
),

with_previous as (
    select
        anchored.*,
        {%- for metric in metrics %}
        {{ previous_known('anchor_' ~ metric, 'platform, post_id', 'date_day') }} as previous_anchor_{{ metric }}{{ "," if not loop.last }}
        {%- endfor %}
    from anchored
),

final as (
    select
        {{ surrogate_key(['with_previous.platform', 'posts.post_pseudonym', 'with_previous.date_day']) }} as post_day_key,
        posts.post_key,
        with_previous.platform,
        posts.post_id_public as post_id,
        posts.account_id_public as account_id,
        cities.city_code,
        with_previous.date_day,
        with_previous.last_observed_at,
        {%- for metric in metrics %}
        with_previous.{{ metric }},
        {%- endfor %}
        {%- for metric in metrics %}
        cast(coalesce(
            with_previous.reported_{{ metric }},
            with_previous.anchor_{{ metric }} - coalesce(with_previous.previous_anchor_{{ metric }}, 0)
        ) as {{ dbt.type_bigint() }}) as {{ metric }}_delta,
        {%- endfor %}
        coalesce(with_previous.carries_prior_accumulation, false) as carries_prior_accumulation,
        coalesce(with_previous.is_correction, false) as is_correction,
        coalesce(with_previous.snapshot_ingest_id, with_previous.daily_ingest_id) as ingest_id,
        case when with_previous.daily_ingest_id is not null then 'platform' else 'derived' end as daily_source,
        with_previous.daily_ingest_id
    from with_previous
    inner join posts on with_previous.platform = posts.platform and with_previous.post_id = posts.post_id
    left join {{ ref('int_post_cities') }} as cities
        on with_previous.platform = cities.platform and with_previous.post_id = cities.post_id
)

select * from final
