with post_topics as (
    select * from {{ ref('int_post_topics') }}
),

-- the post's key as every post mart shows it (PIPL: the surrogate of its keyed pseudonym)
identities as (
    select platform, post_id, post_key from {{ ref('int_post_identities') }}
),

final as (
    select
        identities.post_key,
        {{ surrogate_key(['post_topics.platform', 'post_topics.topic']) }} as topic_key,
        post_topics.platform,
        post_topics.topic
    from post_topics
    inner join identities on post_topics.platform = identities.platform and post_topics.post_id = identities.post_id
)

select * from final
