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
-- costliest step of a build, so an incremental run matches only the posts whose inputs
-- changed. A post's texts, search keywords and topics all come from its observations, so only a post
-- that int_posts restamped since this table's newest row (built_at) can have changed, unless the
-- keyword list did (then every post is a candidate); among the candidates, a post whose fingerprint
-- of what it was matched from (texts, search keywords, topics, the whole keyword list) differs from
-- its row's is matched again. The result equals a full refresh.
with keywords as (
    select * from {{ ref('int_keyword_cities') }}
),

keyword_list as (
    select
        {{ dbt.listagg(dbt.concat(['city_code', "':'", 'keyword']), "'|'", 'order by city_code, keyword') }} as keyword_list
    from keywords
),

{{ rematch_candidates('keyword_list') }},

search_keywords as (
    select distinct observations.platform, observations.post_id, observations.source_keyword
    from {{ ref('stg_post_observations') }} as observations
    inner join candidate_posts
        on observations.platform = candidate_posts.platform and observations.post_id = candidate_posts.post_id
    where observations.source_keyword is not null
),

search_keyword_lists as (
    select platform, post_id, {{ dbt.listagg('source_keyword', "'|'", 'order by source_keyword') }} as search_keyword_list
    from search_keywords
    group by platform, post_id
),

topics as (
    select post_topics.platform, post_topics.post_id, post_topics.topic
    from {{ ref('int_post_topics') }} as post_topics
    inner join candidate_posts
        on post_topics.platform = candidate_posts.platform and post_topics.post_id = candidate_posts.post_id
),

topic_lists as (
    select platform, post_id, {{ dbt.listagg('topic', "'|'", 'order by topic') }} as topic_list
    from topics
    group by platform, post_id
),

post_inputs as (
    select
        candidate_posts.platform,
        candidate_posts.post_id,
        candidate_posts.title,
        candidate_posts.text,
        candidate_posts.built_at as posts_built_at,
        keywords_version.keywords_fingerprint,
        {{ surrogate_key(['candidate_posts.title', 'candidate_posts.text', 'search_keyword_lists.search_keyword_list', 'topic_lists.topic_list', 'keywords_version.keyword_list']) }} as inputs_fingerprint
    from candidate_posts
    cross join keywords_version
    left join search_keyword_lists
        on candidate_posts.platform = search_keyword_lists.platform and candidate_posts.post_id = search_keyword_lists.post_id
    left join topic_lists
        on candidate_posts.platform = topic_lists.platform and candidate_posts.post_id = topic_lists.post_id
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
        posts_to_match.inputs_fingerprint,
        posts_to_match.keywords_fingerprint,
        posts_to_match.posts_built_at
    from posts_to_match
    left join search_matches
        on posts_to_match.platform = search_matches.platform and posts_to_match.post_id = search_matches.post_id
        and search_matches.match_rank = 1
    left join content_matches
        on posts_to_match.platform = content_matches.platform and posts_to_match.post_id = content_matches.post_id
        and content_matches.match_rank = 1
)

select * from final
