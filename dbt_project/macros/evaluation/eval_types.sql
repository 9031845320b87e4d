{#- float64 everywhere in the index (index-methods §3.6 "Determinism"). dbt.type_float() is
    4-byte REAL on some adapters, so the index names its own 8-byte type. -#}
{% macro eval_double() -%}
    {{ return(adapter.dispatch('eval_double', 'citypulse')()) }}
{%- endmacro %}

{% macro default__eval_double() -%}double precision{%- endmacro %}

{% macro bigquery__eval_double() -%}float64{%- endmacro %}


{#- Natural log of (1 + value): the count transform of every volume indicator. -#}
{% macro eval_log1p(expr) -%}
    ln(1 + ({{ expr }}))
{%- endmacro %}


{#- Linear-interpolation percentile (percentile_cont) of an ordered position: the value at
    h = (n - 1) * fraction is v[floor(h)] + (h - floor(h)) * (v[ceil(h)] - v[floor(h)]).
    Written out so the fraction can come from the config table rather than a literal. -#}
{% macro eval_interpolated(value_col, position_col, h_expr) -%}
    max(case when {{ position_col }} = floor({{ h_expr }}) then {{ value_col }} end)
    + ({{ h_expr }} - floor({{ h_expr }}))
    * (max(case when {{ position_col }} = ceil({{ h_expr }}) then {{ value_col }} end)
       - max(case when {{ position_col }} = floor({{ h_expr }}) then {{ value_col }} end))
{%- endmacro %}


{#- 100 * clip((x - lower) / (upper - lower), 0, 1), the 0-100 score of index-methods §3.4. -#}
{% macro eval_clipped_score(x, lower, upper) -%}
    100 * least(greatest(({{ x }} - {{ lower }}) / ({{ upper }} - {{ lower }}), 0), 1)
{%- endmacro %}


{#- UTC instants (design.md: timestamps are UTC TIMESTAMP WITH TIME ZONE). -#}
{% macro eval_timestamptz() -%}
    {{ return(adapter.dispatch('eval_timestamptz', 'citypulse')()) }}
{%- endmacro %}

{% macro default__eval_timestamptz() -%}timestamp with time zone{%- endmacro %}

{% macro bigquery__eval_timestamptz() -%}timestamp{%- endmacro %}
