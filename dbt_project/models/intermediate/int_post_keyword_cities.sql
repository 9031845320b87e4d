{{
    config(
        materialized='incremental',
        unique_key=['platform', 'post_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per post: the city named by its search keywords and the city named by its content (title,
-- text, topics), the longest keyword first. Matching every post against every city keyword is the
-- costliest step of a build (issue 8), so an incremental run matches only the posts whose inputs
-- changed: each row keeps a fingerprint of what it was matched from (the post's texts, search
-- keywords and topics, and the whole keyword list), and a post whose fingerprint differs (a new post,
-- a new title, an edited city_keywords seed) is matched again. The result equals a full refresh.
with posts as (
    select platform, post_id, title, text
    from {{ ref('int_posts') }}
),

search_keywords as (
    select distinct platform, post_id, source_keyword
    from {{ ref('stg_post_observations') }}
    where source_keyword is not null
),

search_keyword_lists as (
    select platform, post_id, {{ dbt.listagg('source_keyword', "'|'", 'order by source_keyword') }} as search_keyword_list
    from search_keywords
    group by platform, post_id
),

topics as (
    select platform, post_id, topic from {{ ref('int_post_topics') }}
),

topic_lists as (
    select platform, post_id, {{ dbt.listagg('topic', "'|'", 'order by topic') }} as topic_list
    from topics
    group by platform, post_id
),

keywords as (
    select * from {{ ref('int_keyword_cities') }}
),

keyword_list as (
    select {{ dbt.listagg(dbt.concat(['city_code', "':'", 'keyword']), "'|'", 'order by city_code, keyword') }} as keyword_list
    from keywords
),

post_inputs as (
    select
        posts.platform,
        posts.post_id,
        posts.title,
        posts.text,
        {{ surrogate_key(['posts.title', 'posts.text', 'search_keyword_lists.search_keyword_list', 'topic_lists.topic_list', 'keyword_list.keyword_list']) }} as inputs_fingerprint
    from posts
    cross join keyword_list
    left join search_keyword_lists
        on posts.platform = search_keyword_lists.platform and posts.post_id = search_keyword_lists.post_id
    left join topic_lists
        on posts.platform = topic_lists.platform and posts.post_id = topic_lists.post_id
),

{% if is_incremental() %}
posts_to_match as (
    select post_inputs.*
    from post_inputs
    left join {{ this }} as matched
        on post_inputs.platform = matched.platform and post_inputs.post_id = matched.post_id
        and post_inputs.inputs_fingerprint = matched.inputs_fingerprint
    where matched.post_id is null
),
{% else %}
posts_to_match as (
    select * from post_inputs
),
{% endif %}

search_matches as (
    select
        search_keywords.platform, search_keywords.post_id, keywords.city_code,
        {{ keyword_match_rank(['search_keywords.platform', 'search_keywords.post_id']) }} as match_rank
    from search_keywords
    inner join posts_to_match
        on search_keywords.platform = posts_to_match.platform and search_keywords.post_id = posts_to_match.post_id
    inner join keywords on {{ contains_lowered('lower(search_keywords.source_keyword)', 'keywords.keyword') }}
),

-- lower-cased once per text (keywords are lower-cased in int_keyword_cities), not once per keyword
content_texts as (
    select platform, post_id, lower(coalesce(title, '') || ' ' || coalesce(text, '')) as content
    from posts_to_match
    union all
    select topics.platform, topics.post_id, lower(topics.topic) as content
    from topics
    inner join posts_to_match on topics.platform = posts_to_match.platform and topics.post_id = posts_to_match.post_id
),

content_matches as (
    select
        content_texts.platform, content_texts.post_id, keywords.city_code,
        {{ keyword_match_rank(['content_texts.platform', 'content_texts.post_id']) }} as match_rank
    from content_texts
    inner join keywords on {{ contains_lowered('content_texts.content', 'keywords.keyword') }}
),

final as (
    select
        posts_to_match.platform,
        posts_to_match.post_id,
        search_matches.city_code as search_keyword_city_code,
        content_matches.city_code as content_keyword_city_code,
        posts_to_match.inputs_fingerprint
    from posts_to_match
    left join search_matches
        on posts_to_match.platform = search_matches.platform and posts_to_match.post_id = search_matches.post_id
        and search_matches.match_rank = 1
    left join content_matches
        on posts_to_match.platform = content_matches.platform and posts_to_match.post_id = content_matches.post_id
        and content_matches.match_rank = 1
)

select * from final
