{#
  PIPL: a keyed hash stands in for the identifiers of the account types the var
  `pseudonymised_account_types` names (dbt_project.yml; docs/privacy.md), and for their posts.
  hash(key || hash(key || value)) (HMAC-like, no length extension); the key is a connection
  variable set by the dbt-duckdb plugin from CITYPULSE_PII_KEY or the data home's key file, so it
  never appears in compiled SQL. A session without the key (or with a short one) fails the query
  instead of hashing with an empty key. The same account or post gets the same pseudonym in every
  mart and build.
#}
{% macro keyed_hash(expression) -%}
    {{ return(adapter.dispatch('keyed_hash', 'citypulse')(expression)) }}
{%- endmacro %}

{% macro duckdb__keyed_hash(expression) -%}
    sha256({{ pii_key_checked() }} || sha256({{ pii_key_checked() }} || cast({{ expression }} as varchar)))
{%- endmacro %}

{% macro pii_key_checked() -%}
    (case when length(getvariable('citypulse_pii_key')) >= 16 then getvariable('citypulse_pii_key')
        else error('citypulse: no PII key in this session (CITYPULSE_PII_KEY or the data home''s secrets/pii.key); nothing is published without it') end)
{%- endmacro %}

{% macro default__keyed_hash(expression) -%}
    {{ exceptions.raise_compiler_error("keyed_hash: no implementation for " ~ target.type ~ "; add one that reads the PII key from the session") }}
{%- endmacro %}

{# The pseudonymised account types, checked: a misspelt type would silently publish raw ids.
   Personal and unknown accounts are always among them (an unclassified account may be a person);
   official accounts never are (they speak for a city; the evaluation joins their registered ids). #}
{% macro pseudonymised_account_types() -%}
    {%- set types = var('pseudonymised_account_types') -%}
    {%- if types is string or types is not iterable -%}
        {{ exceptions.raise_compiler_error("var pseudonymised_account_types must be a list of account types, got " ~ types) }}
    {%- endif -%}
    {%- for required in ['personal', 'unknown'] if required not in types -%}
        {{ exceptions.raise_compiler_error("var pseudonymised_account_types must include '" ~ required ~ "' (PIPL: docs/privacy.md)") }}
    {%- endfor -%}
    {%- for type in types if type not in ['personal', 'unknown', 'influencer', 'media'] -%}
        {{ exceptions.raise_compiler_error("var pseudonymised_account_types: '" ~ type ~ "' is not one of personal, unknown, influencer, media") }}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}

{# Whether an account type is shown under a pseudonym. A post or row whose account is not known (NULL) is unknown. #}
{% macro is_pseudonymised(account_type_expression) -%}
    (coalesce({{ account_type_expression }}, 'unknown') in (
        {%- for type in pseudonymised_account_types() %}'{{ type }}'{{ ", " if not loop.last }}{% endfor -%}
    ))
{%- endmacro %}

{# The pseudonym of an identifier (account or post id): one scheme for both. #}
{% macro pseudonym(id_expression) -%}
    ('p_' || left({{ keyed_hash(id_expression) }}, 16))
{%- endmacro %}

{% macro public_account_id(account_id_expression, account_type_expression) -%}
    case when {{ is_pseudonymised(account_type_expression) }}
        then {{ pseudonym(account_id_expression) }}
        else {{ account_id_expression }}
    end
{%- endmacro %}

{% macro public_account_name(account_id_expression, account_name_expression, account_type_expression) -%}
    case when {{ is_pseudonymised(account_type_expression) }}
        then '用户_' || left({{ keyed_hash(account_id_expression) }}, 8)
        else {{ account_name_expression }}
    end
{%- endmacro %}
