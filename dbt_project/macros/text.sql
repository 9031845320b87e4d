{# Unicode NFKC: full-width ＃／ＡＢＣ／１２３ become #/ABC/123, so "＃大足石刻" and "#大足石刻" compare equal. #}
{% macro nfkc(expression) -%}
    {{ return(adapter.dispatch('nfkc', 'citypulse')(expression)) }}
{%- endmacro %}

{% macro default__nfkc(expression) -%}
    normalize({{ expression }}, nfkc)
{%- endmacro %}

{% macro duckdb__nfkc(expression) -%}
    {#- DuckDB has nfc_normalize only; citypulse_nfkc() is registered by the dbt-duckdb plugin. -#}
    citypulse_nfkc({{ expression }})
{%- endmacro %}

{# A normalised topic: NFKC, without # marks, trimmed, lower-case (Latin hashtags are case-insensitive on every platform). #}
{% macro normalise_topic(expression) -%}
    nullif(lower(trim(replace({{ nfkc(expression) }}, '#', ''))), '')
{%- endmacro %}

{#
  Topics in post text as a list. Weibo marks a topic with two marks (#话题#); elsewhere a tag runs from
  # to the next space or punctuation. The text is NFKC-normalised first, so full-width ＃ counts.
#}
{% macro extract_topics(text_expression, platform_expression) -%}
    {{ return(adapter.dispatch('extract_topics', 'citypulse')(text_expression, platform_expression)) }}
{%- endmacro %}

{% macro duckdb__extract_topics(text_expression, platform_expression) -%}
    case
        when {{ platform_expression }} = 'weibo'
            then regexp_extract_all({{ text_expression }}, '#([^#\r\n]{1,64})#', 1)
        else regexp_extract_all({{ text_expression }}, '#([^#\s,.!?;:，。！？；：、()（）【】\[\]"“”''‘’]{1,64})', 1)
    end
{%- endmacro %}

{% macro postgres__extract_topics(text_expression, platform_expression) -%}
    case
        when {{ platform_expression }} = 'weibo'
            then array(select m[1] from regexp_matches({{ text_expression }}, '#([^#\r\n]{1,64})#', 'g') as m)
        else array(select m[1] from regexp_matches({{ text_expression }}, '#([^#\s,.!?;:，。！？；：、()（）【】\[\]"“”''‘’]{1,64})', 'g') as m)
    end
{%- endmacro %}

{% macro unnest_list(expression) -%}
    {{ return(adapter.dispatch('unnest_list', 'citypulse')(expression)) }}
{%- endmacro %}

{% macro default__unnest_list(expression) -%}
    unnest({{ expression }})
{%- endmacro %}

{# Whether text matches a regular expression (alternations such as '发布|文旅'). #}
{% macro matches_pattern(expression, pattern) -%}
    {{ return(adapter.dispatch('matches_pattern', 'citypulse')(expression, pattern)) }}
{%- endmacro %}

{% macro duckdb__matches_pattern(expression, pattern) -%}
    coalesce(regexp_matches({{ expression }}, '{{ pattern }}'), false)
{%- endmacro %}

{% macro postgres__matches_pattern(expression, pattern) -%}
    coalesce(({{ expression }}) ~ '{{ pattern }}', false)
{%- endmacro %}

{# Whether `haystack` contains `needle`, both compared after NFKC and lower-casing. #}
{% macro contains_keyword(haystack, needle) -%}
    {{ return(adapter.dispatch('contains_keyword', 'citypulse')(haystack, needle)) }}
{%- endmacro %}

{% macro default__contains_keyword(haystack, needle) -%}
    (strpos(lower({{ haystack }}), lower({{ needle }})) > 0)
{%- endmacro %}
