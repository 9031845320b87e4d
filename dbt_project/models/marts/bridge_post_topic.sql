with post_topics as (
    select * from {{ ref('int_post_topics') }}
),

final as (
    select
        {{ surrogate_key(['platform', 'post_id']) }} as post_key,
        {{ surrogate_key(['platform', 'topic']) }} as topic_key,
        platform,
        topic
    from post_topics
)

select * from final
