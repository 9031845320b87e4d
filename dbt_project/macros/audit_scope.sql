{#
  The audit of an incremental build: the costliest tests, those over every post
  observation, check the posts that builds since the last published one wrote, not ten million
  rows that earlier audits already passed.

  citypulse.warehouse.audit sets CITYPULSE_AUDIT_SINCE to the newest built_at of the published
  warehouse's stg_post_observations before `dbt test`. A test configured with
  `where: "__audit_scope__"` then reads the rows of the posts that have an observation written
  after it: every post an ingest since then carries (stg_post_observations re-ranks and re-stamps
  every key a new ingest carries), with their whole history, because the per-post tests compare a
  post's rows with each other. Without the variable (first build, full refresh, a warehouse
  published before built_at existed, `dbt test` by hand) every row is tested. A failed audit
  publishes nothing, so the next audit still covers the rows it refused.
#}
{% macro audit_scope() -%}
    {%- set since = env_var('CITYPULSE_AUDIT_SINCE', '') if execute else '' -%}
    {%- if since -%}
        {%- set node = graph.nodes['model.citypulse.stg_post_observations'] -%}
        {%- set observations = api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias) -%}
        post_id in (
            select post_id from {{ observations }}
            where built_at > cast('{{ since }}' as timestamp)
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- dbt's get_where_subquery, with the __audit_scope__ placeholder resolved when the test runs
    (a `where` config is rendered when the project is parsed, before the audit knows its scope). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where | replace('__audit_scope__', audit_scope()) }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
