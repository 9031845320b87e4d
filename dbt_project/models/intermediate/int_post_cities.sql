-- One row per post: its city. The account's city first (registry or account-name keyword), then
-- city keywords in the crawler's search keyword, then in the title/text/topics (longest keyword wins).
with posts as (
    select platform, post_id, account_id, title, text
    from {{ ref('int_posts') }}
),

keyword_cities as (
    -- the keyword matching, kept per post and redone only for posts whose inputs changed
    select platform, post_id, search_keyword_city_code, content_keyword_city_code
    from {{ ref('int_post_keyword_cities') }}
),

account_cities as (
    select platform, account_id, city_code from {{ ref('int_accounts') }} where city_code is not null
),

final as (
    select
        posts.platform,
        posts.post_id,
        coalesce(
            account_cities.city_code, keyword_cities.search_keyword_city_code, keyword_cities.content_keyword_city_code
        ) as city_code,
        case
            when account_cities.city_code is not null then 'account'
            when keyword_cities.search_keyword_city_code is not null then 'search_keyword'
            when keyword_cities.content_keyword_city_code is not null then 'content_keyword'
        end as city_source
    from posts
    left join account_cities
        on posts.platform = account_cities.platform and posts.account_id = account_cities.account_id
    left join keyword_cities
        on posts.platform = keyword_cities.platform and posts.post_id = keyword_cities.post_id
)

select * from final
