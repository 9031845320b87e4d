{#
  Whether `haystack` contains `needle` when the caller has already lower-cased (and NFKC-normalised)
  both. contains_keyword (macros/text.sql) lowers both sides inside the comparison, so in a
  posts x keywords join every post text is lowered once per keyword: ~7x the cost of lowering each
  text once and comparing here (issue 8: most of a full build's time at 1M observations).
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
