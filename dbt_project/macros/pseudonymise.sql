{#
  PIPL: a keyed hash stands in for the identifiers of personal (and unclassified) accounts.
  hash(key || hash(key || value)) (HMAC-like, no length extension); the key is a connection
  variable set by the dbt-duckdb plugin from CITYPULSE_PII_KEY or the data home's key file, so it
  never appears in compiled SQL. The same account gets the same pseudonym in every mart and build.
#}
{% macro keyed_hash(expression) -%}
    {{ return(adapter.dispatch('keyed_hash', 'citypulse')(expression)) }}
{%- endmacro %}

{% macro duckdb__keyed_hash(expression) -%}
    sha256(getvariable('citypulse_pii_key') || sha256(getvariable('citypulse_pii_key') || cast({{ expression }} as varchar)))
{%- endmacro %}

{% macro default__keyed_hash(expression) -%}
    {{ exceptions.raise_compiler_error("keyed_hash: no implementation for " ~ target.type ~ "; add one that reads the PII key from the session") }}
{%- endmacro %}

{# Whether an account type is shown under a pseudonym. Unknown accounts may be people: treated as personal. #}
{% macro is_pseudonymised(account_type_expression) -%}
    ({{ account_type_expression }} in ('personal', 'unknown'))
{%- endmacro %}

{% macro public_account_id(account_id_expression, account_type_expression) -%}
    case when {{ is_pseudonymised(account_type_expression) }}
        then 'p_' || left({{ keyed_hash(account_id_expression) }}, 16)
        else {{ account_id_expression }}
    end
{%- endmacro %}

{% macro public_account_name(account_id_expression, account_name_expression, account_type_expression) -%}
    case when {{ is_pseudonymised(account_type_expression) }}
        then '用户_' || left({{ keyed_hash(account_id_expression) }}, 8)
        else {{ account_name_expression }}
    end
{%- endmacro %}
