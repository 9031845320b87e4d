-- One row per post per topic it carries (Weibo #话题#, #tag elsewhere, full-width ＃ after NFKC).
with posts as (
    select
        platform,
        post_id,
        {{ nfkc("coalesce(title, '') || ' ' || coalesce(text, '')") }} as post_text
    from {{ ref('int_posts') }}
),

raw_topics as (
    select
        platform,
        post_id,
        {{ unnest_list(extract_topics('post_text', 'platform')) }} as topic_raw
    from posts
),

normalised_topics as (
    select platform, post_id, {{ normalise_topic('topic_raw') }} as topic
    from raw_topics
),

final as (
    select distinct platform, post_id, topic
    from normalised_topics
    where topic is not null
)

select * from final
