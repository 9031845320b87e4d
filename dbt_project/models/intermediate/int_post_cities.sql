-- One row per post: its city. The account's city first (registry or account-name keyword), then
-- city keywords in the crawler's search keyword, then in the title/text/topics (longest keyword wins).
with posts as (
    select platform, post_id, account_id, title, text
    from {{ ref('int_posts') }}
),

search_keywords as (
    select distinct platform, post_id, source_keyword
    from {{ ref('stg_post_observations') }}
    where source_keyword is not null
),

topics as (
    select platform, post_id, topic from {{ ref('int_post_topics') }}
),

keywords as (
    select * from {{ ref('int_keyword_cities') }}
),

account_cities as (
    select platform, account_id, city_code from {{ ref('int_accounts') }} where city_code is not null
),

search_matches as (
    select
        search_keywords.platform, search_keywords.post_id, keywords.city_code,
        row_number() over (
            partition by search_keywords.platform, search_keywords.post_id
            order by keywords.keyword_length desc, keywords.city_code
        ) as match_rank
    from search_keywords
    inner join keywords on {{ contains_keyword('search_keywords.source_keyword', 'keywords.keyword') }}
),

content_texts as (
    select platform, post_id, coalesce(title, '') || ' ' || coalesce(text, '') as content
    from posts
    union all
    select platform, post_id, topic as content
    from topics
),

content_matches as (
    select
        content_texts.platform, content_texts.post_id, keywords.city_code,
        row_number() over (
            partition by content_texts.platform, content_texts.post_id
            order by keywords.keyword_length desc, keywords.city_code
        ) as match_rank
    from content_texts
    inner join keywords on {{ contains_keyword('content_texts.content', 'keywords.keyword') }}
),

final as (
    select
        posts.platform,
        posts.post_id,
        coalesce(account_cities.city_code, search_matches.city_code, content_matches.city_code) as city_code,
        case
            when account_cities.city_code is not null then 'account'
            when search_matches.city_code is not null then 'search_keyword'
            when content_matches.city_code is not null then 'content_keyword'
        end as city_source
    from posts
    left join account_cities
        on posts.platform = account_cities.platform and posts.account_id = account_cities.account_id
    left join search_matches
        on posts.platform = search_matches.platform and posts.post_id = search_matches.post_id
        and search_matches.match_rank = 1
    left join content_matches
        on posts.platform = content_matches.platform and posts.post_id = content_matches.post_id
        and content_matches.match_rank = 1
)

select * from final
