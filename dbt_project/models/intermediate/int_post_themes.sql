{{
    config(
        materialized='incremental',
        unique_key=['platform', 'post_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- One row per post: its BEST theme and its focus theme (关注维度), the theme whose keywords occur most
-- often in the title, text and topics (ties: the theme first in alphabetical order); NULL when none occurs.
-- Incremental like int_post_keyword_cities: the candidates are the posts int_posts restamped since
-- this table's newest row (every post when the theme keyword list changed), and a candidate is matched
-- again when the fingerprint of its content and of the whole keyword list differs from its row's.
with theme_keywords as (
    select theme_set, theme, lower({{ nfkc('keyword') }}) as keyword
    from {{ ref('theme_keywords') }}
),

keyword_list as (
    select {{ dbt.listagg(dbt.concat(['theme_set', "':'", 'theme', "':'", 'keyword']), "'|'", 'order by theme_set, theme, keyword') }} as keyword_list
    from theme_keywords
),

{{ rematch_candidates('keyword_list') }},

posts as (
    select platform, post_id, built_at, lower(coalesce(title, '') || ' ' || coalesce(text, '')) as content
    from candidate_posts
),

post_topics as (
    select post_topics.platform, post_topics.post_id, lower({{ dbt.listagg('post_topics.topic', "' '", 'order by post_topics.topic') }}) as topic_text
    from {{ ref('int_post_topics') }} as post_topics
    inner join candidate_posts
        on post_topics.platform = candidate_posts.platform and post_topics.post_id = candidate_posts.post_id
    group by post_topics.platform, post_topics.post_id
),

all_post_contents as (
    select
        posts.platform,
        posts.post_id,
        posts.built_at as posts_built_at,
        keywords_version.keywords_fingerprint,
        posts.content || ' ' || coalesce(post_topics.topic_text, '') as content,
        {{ surrogate_key(["posts.content || ' ' || coalesce(post_topics.topic_text, '')", 'keywords_version.keyword_list']) }} as inputs_fingerprint
    from posts
    cross join keywords_version
    left join post_topics on posts.platform = post_topics.platform and posts.post_id = post_topics.post_id
),

{% if is_incremental() %}
post_contents as (
    select all_post_contents.*
    from all_post_contents
    left join {{ this }} as matched
        on all_post_contents.platform = matched.platform and all_post_contents.post_id = matched.post_id
        and all_post_contents.inputs_fingerprint = matched.inputs_fingerprint
    where matched.post_id is null
),
{% else %}
post_contents as (
    select * from all_post_contents
),
{% endif %}

theme_hits as (
    select post_contents.platform, post_contents.post_id, theme_keywords.theme_set, theme_keywords.theme, count(*) as hits
    from post_contents
    -- both sides are lower-cased above: compare without lowering again per keyword (macros/matching.sql)
    inner join theme_keywords on {{ contains_lowered('post_contents.content', 'theme_keywords.keyword') }}
    group by post_contents.platform, post_contents.post_id, theme_keywords.theme_set, theme_keywords.theme
),

ranked_themes as (
    select
        theme_hits.*,
        row_number() over (partition by platform, post_id, theme_set order by hits desc, theme) as theme_rank
    from theme_hits
),

final as (
    select
        post_contents.platform,
        post_contents.post_id,
        best.theme as best_theme,
        focus.theme as focus_theme,
        post_contents.inputs_fingerprint,
        post_contents.keywords_fingerprint,
        post_contents.posts_built_at
    from post_contents
    left join ranked_themes as best
        on post_contents.platform = best.platform and post_contents.post_id = best.post_id
        and best.theme_set = 'BEST' and best.theme_rank = 1
    left join ranked_themes as focus
        on post_contents.platform = focus.platform and post_contents.post_id = focus.post_id
        and focus.theme_set = 'focus' and focus.theme_rank = 1
)

select * from final
