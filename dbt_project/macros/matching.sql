{#
  Whether `haystack` contains `needle` when the caller has already lower-cased (and NFKC-normalised)
  both. contains_keyword (macros/text.sql) lowers both sides inside the comparison, so in a
  posts x keywords join every post text is lowered once per keyword: ~7x the cost of lowering each
  text once and comparing here (most of a full build's time at 1M observations).
#}
{% macro contains_lowered(haystack, needle) -%}
    {{ return(adapter.dispatch('contains_lowered', 'citypulse')(haystack, needle)) }}
{%- endmacro %}

{#- spark__contains_lowered is in macros/dialect/spark.sql. -#}
{% macro default__contains_lowered(haystack, needle) -%}
    (strpos({{ haystack }}, {{ needle }}) > 0)
{%- endmacro %}

{#- Which city keyword a text's match counts (match_rank = 1): the longest keyword, ties by city
    code, so "大足区" beats "大足" and equal lengths resolve the same way on every build. The joined
    keyword relation is aliased `keywords` (int_keyword_cities). -#}
{% macro keyword_match_rank(partition_by) -%}
    row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by keywords.keyword_length desc, keywords.city_code
    )
{%- endmacro %}

{#
  The CTEs keywords_version and candidate_posts of a keyword-matching model (int_post_keyword_cities,
  int_post_themes), from the CTE `keyword_list` (one row: the whole keyword list as text).
  candidate_posts are the int_posts rows the model may have to match again: every post on a full
  refresh; on an incremental run the posts int_posts restamped since the model's newest row
  (everything a post is matched from comes from its observations), or every post when a row was
  matched with another keyword list. The model then matches the candidates whose fingerprint changed.
#}
{% macro rematch_candidates(keyword_list) -%}
keywords_version as (
    select keyword_list, {{ surrogate_key(['keyword_list']) }} as keywords_fingerprint
    from {{ keyword_list }}
),

{% if is_incremental() %}
matched_with_other_keywords as (
    select count(*) as posts
    from {{ this }} as matched
    cross join keywords_version
    where matched.keywords_fingerprint <> keywords_version.keywords_fingerprint
),

candidate_posts as (
    select posts.platform, posts.post_id, posts.title, posts.text, posts.built_at
    from {{ ref('int_posts') }} as posts
    cross join matched_with_other_keywords
    where posts.built_at > coalesce((select max(posts_built_at) from {{ this }}), {{ never() }})
        or matched_with_other_keywords.posts > 0
)
{% else %}
candidate_posts as (
    select platform, post_id, title, text, built_at
    from {{ ref('int_posts') }}
)
{% endif %}
{%- endmacro %}
