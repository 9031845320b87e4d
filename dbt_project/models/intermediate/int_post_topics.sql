{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='append',
        on_schema_change='fail',
        post_hook=([] if target.type == 'spark' else ["{{ delete_rows_of_restamped_posts() }}"])
    )
}}
-- One row per post per topic it carries (Weibo #话题#, #tag elsewhere, full-width ＃ after NFKC).
-- Incremental (NFKC and topic extraction over every post's texts cost 3 s per build): a run
-- reads the posts int_posts restamped since this table's newest row and appends their topics; the
-- post-hook then deletes the rows derived from an earlier version of a post, so a post whose edit
-- removed every topic loses its rows too (delete+insert on the post would keep them: it deletes only
-- the posts that still have a row to insert). Spark has no DELETE on plain tables: a table there.
with posts as (
    select
        platform,
        post_id,
        built_at,
        {{ nfkc("coalesce(title, '') || ' ' || coalesce(text, '')") }} as post_text
    from {{ ref('int_posts') }}
    {% if is_incremental() -%}
    where built_at > coalesce((select max(posts_built_at) from {{ this }}), {{ never() }})
    {%- endif %}
),

raw_topics as (
    select
        platform,
        post_id,
        built_at,
        {{ unnest_list(extract_topics('post_text', 'platform')) }} as topic_raw
    from posts
),

normalised_topics as (
    select platform, post_id, built_at, {{ normalise_topic('topic_raw') }} as topic
    from raw_topics
),

final as (
    select distinct platform, post_id, topic, built_at as posts_built_at
    from normalised_topics
    where topic is not null
)

select * from final
