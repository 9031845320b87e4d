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
