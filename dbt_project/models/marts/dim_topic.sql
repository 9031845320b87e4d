with topic_mentions as (
    select platform, topic from {{ ref('int_post_topics') }}
    union
    select platform, topic from {{ ref('stg_topic_observations') }} where topic is not null
),

keyword_matches as (
    select
        topic_mentions.platform, topic_mentions.topic, keywords.city_code,
        {{ keyword_match_rank(['topic_mentions.platform', 'topic_mentions.topic']) }} as match_rank
    from topic_mentions
    inner join {{ ref('int_keyword_cities') }} as keywords on {{ contains_keyword('topic_mentions.topic', 'keywords.keyword') }}
),

post_cities as (
    -- a topic without a city keyword belongs to a city when every post carrying it does
    select post_topics.platform, post_topics.topic, min(cities.city_code) as city_code
    from {{ ref('int_post_topics') }} as post_topics
    inner join {{ ref('int_post_cities') }} as cities
        on post_topics.platform = cities.platform and post_topics.post_id = cities.post_id
    group by post_topics.platform, post_topics.topic
    having count(distinct cities.city_code) = 1 and count(cities.city_code) = count(*)
),

final as (
    select
        {{ surrogate_key(['topic_mentions.platform', 'topic_mentions.topic']) }} as topic_key,
        topic_mentions.platform,
        topic_mentions.topic,
        coalesce(keyword_matches.city_code, post_cities.city_code) as city_code,
        case
            when keyword_matches.city_code is not null then 'topic_keyword'
            when post_cities.city_code is not null then 'posts'
        end as city_source
    from topic_mentions
    left join keyword_matches
        on topic_mentions.platform = keyword_matches.platform and topic_mentions.topic = keyword_matches.topic
        and keyword_matches.match_rank = 1
    left join post_cities
        on topic_mentions.platform = post_cities.platform and topic_mentions.topic = post_cities.topic
)

select * from final
