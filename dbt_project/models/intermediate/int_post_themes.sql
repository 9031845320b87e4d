-- One row per post: its BEST theme and its focus theme (关注维度), the theme whose keywords occur most
-- often in the title, text and topics (ties: the theme first in alphabetical order); NULL when none occurs.
with posts as (
    select platform, post_id, lower(coalesce(title, '') || ' ' || coalesce(text, '')) as content
    from {{ ref('int_posts') }}
),

post_topics as (
    select platform, post_id, lower(string_agg(topic, ' ')) as topic_text
    from {{ ref('int_post_topics') }}
    group by platform, post_id
),

post_contents as (
    select posts.platform, posts.post_id, posts.content || ' ' || coalesce(post_topics.topic_text, '') as content
    from posts
    left join post_topics on posts.platform = post_topics.platform and posts.post_id = post_topics.post_id
),

theme_keywords as (
    select theme_set, theme, lower({{ nfkc('keyword') }}) as keyword
    from {{ ref('theme_keywords') }}
),

theme_hits as (
    select post_contents.platform, post_contents.post_id, theme_keywords.theme_set, theme_keywords.theme, count(*) as hits
    from post_contents
    inner join theme_keywords on {{ contains_keyword('post_contents.content', 'theme_keywords.keyword') }}
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
        focus.theme as focus_theme
    from post_contents
    left join ranked_themes as best
        on post_contents.platform = best.platform and post_contents.post_id = best.post_id
        and best.theme_set = 'BEST' and best.theme_rank = 1
    left join ranked_themes as focus
        on post_contents.platform = focus.platform and post_contents.post_id = focus.post_id
        and focus.theme_set = 'focus' and focus.theme_rank = 1
)

select * from final
