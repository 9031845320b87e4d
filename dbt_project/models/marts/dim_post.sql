{{
    config(
        materialized='incremental',
        unique_key='post_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail'
    )
}}
-- Incremental only in what it writes: every post is derived again, since an account's type
-- or a keyword list change reaches posts no ingest touched, but only new and changed rows are
-- written; rewriting every title and text cost most of this model's time.
with posts as (
    select * from {{ ref('int_posts') }}
),

-- keys, ids and links as shown (PIPL: a pseudonymised account's posts show a keyed pseudonym, no link)
identities as (
    select * from {{ ref('int_post_identities') }}
),

final as (
    select
        identities.post_key,
        posts.platform,
        identities.post_id_public as post_id,
        identities.account_id_public as account_id,
        identities.account_key,
        cities.city_code,
        cities.city_source,
        posts.published_at,
        {{ local_date('posts.published_at') }} as published_date,
        posts.title,
        posts.text,
        identities.post_url_public as post_url,
        posts.post_type,
        posts.duration_s,
        themes.best_theme,
        themes.focus_theme,
        identities.account_type,
        identities.account_type = 'official' as is_official,
        posts.source_keyword,
        posts.first_observed_at,
        posts.last_observed_at,
        posts.observations
    from posts
    inner join identities on posts.platform = identities.platform and posts.post_id = identities.post_id
    left join {{ ref('int_post_cities') }} as cities
        on posts.platform = cities.platform and posts.post_id = cities.post_id
    left join {{ ref('int_post_themes') }} as themes
        on posts.platform = themes.platform and posts.post_id = themes.post_id
)

{{ changed_rows_only('final', 'post_key') }}
