{{
    config(
        materialized='incremental',
        unique_key='topic_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Per topic per local day: end-of-day cumulative reads/discussions, the best hot-search rank and how
-- often it was on a hot-search list. Incremental: topics touched by new ingests are redone.
with observations as (
    select
        platform, topic, observed_at, {{ local_date('observed_at') }} as date_day,
        reads, discussions, interactions, originals, hot_rank, is_hot_search, ingest_id
    from {{ ref('stg_topic_observations') }}
    where topic is not null
),

{% if is_incremental() %}
changed_topics as (
    select distinct platform, topic from observations
    where ingest_id not in (select distinct ingest_id from {{ this }})
),

observations_to_process as (
    select observations.*
    from observations
    inner join changed_topics on observations.platform = changed_topics.platform and observations.topic = changed_topics.topic
),
{% else %}
observations_to_process as (
    select * from observations
),
{% endif %}

ranked_in_day as (
    select
        observations_to_process.*,
        row_number() over (
            partition by platform, topic, date_day
            order by coalesce(reads, discussions, interactions) is null, observed_at desc
        ) as rank_in_day
    from observations_to_process
),

day_summaries as (
    select
        platform, topic, date_day,
        min(hot_rank) as best_hot_rank,
        cast(sum(case when is_hot_search then 1 else 0 end) as {{ dbt.type_bigint() }}) as hot_search_hits,
        count(*) as observations
    from observations_to_process
    group by platform, topic, date_day
),

final as (
    select
        {{ surrogate_key(['day_summaries.platform', 'day_summaries.topic', 'day_summaries.date_day']) }} as topic_day_key,
        {{ surrogate_key(['day_summaries.platform', 'day_summaries.topic']) }} as topic_key,
        day_summaries.platform,
        day_summaries.topic,
        topics.city_code,
        day_summaries.date_day,
        end_of_day.reads,
        end_of_day.discussions,
        end_of_day.interactions,
        end_of_day.originals,
        day_summaries.best_hot_rank,
        day_summaries.hot_search_hits,
        day_summaries.observations,
        end_of_day.ingest_id
    from day_summaries
    inner join ranked_in_day as end_of_day
        on day_summaries.platform = end_of_day.platform and day_summaries.topic = end_of_day.topic
        and day_summaries.date_day = end_of_day.date_day and end_of_day.rank_in_day = 1
    left join {{ ref('dim_topic') }} as topics
        on day_summaries.platform = topics.platform and day_summaries.topic = topics.topic
)

select * from final
