{#
  Engagements = likes + comments + shares (docs/marts-contract.md). A missing component is unknown,
  not zero: the sum of the known components, NULL only when none is known (docs/decisions.md).
  Saves are left to the evaluation's methodology config.
#}
{% macro engagements(prefix='') -%}
    case
        when {{ prefix }}likes is null and {{ prefix }}comments is null and {{ prefix }}shares is null then null
        else coalesce({{ prefix }}likes, 0) + coalesce({{ prefix }}comments, 0) + coalesce({{ prefix }}shares, 0)
    end
{%- endmacro %}
