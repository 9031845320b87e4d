-- Every landed topic observation, typed; topic NFKC-normalised without # marks so spellings meet.
with lake_rows as (
    select * from {{ lake_source('topic_observations') }}
),

typed as (
    select {{ typed_lake_columns('topic_observations', normalised=['topic_raw']) }}
    from lake_rows
),

normalised as (
    select
        platform,
        {{ normalise_topic('coalesce(topic, topic_raw)') }} as topic,
        topic_raw,
        reads,
        discussions,
        interactions,
        originals,
        hot_rank,
        is_hot_search,
        observed_at,
        ingest_id,
        source_row
    from typed
)

select * from normalised
