{#
  Incremental models and snapshots on Spark with plain parquet tables. dbt-spark implements
  delete+insert and snapshots only with MERGE, i.e. with Delta, Iceberg or Hudi, whose jars are not
  in the pyspark wheel (and nothing may be downloaded). A parquet table cannot delete rows, so both
  rewrite the table instead: the surviving rows and the new ones are first written to a scratch
  table (so the statement never reads the files it overwrites), then `insert overwrite` swaps them
  in and the scratch table is dropped. Same rows as DuckDB's delete+insert and snapshot merge; a
  cluster with Delta can set file_format: delta and use MERGE instead (docs/spark.md).
#}

{#- Accept delete+insert (handled below); everything else as dbt-spark validates it. -#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
  {%- if raw_strategy == 'delete+insert' -%}
    {%- if not config.get('unique_key') -%}
      {% do exceptions.raise_compiler_error("delete+insert needs a unique_key on Spark") %}
    {%- endif -%}
    {% do return(raw_strategy) %}
  {%- endif -%}
  {% do return(dbt_spark.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) %}
{% endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
  {%- if strategy == 'delete+insert' -%}
    {{ return(citypulse_spark_delete_insert_sql(source, target, unique_key)) }}
  {%- endif -%}
  {{ return(dbt_spark.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
{% endmacro %}

{#- Rows of target whose key is not among the new rows, plus the new rows (dbt's delete+insert:
    keys compare with `=`, so a NULL key part never deletes). -#}
{% macro citypulse_spark_delete_insert_sql(source, target, unique_key) %}
  {%- set keys = [unique_key] if unique_key is string else unique_key -%}
  {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
  {%- set fresh = target.incorporate(path={'identifier': target.identifier ~ '__dbt_new'}) -%}
  {%- set merged = target.incorporate(path={'identifier': target.identifier ~ '__dbt_next'}) -%}
  {% do run_query('drop table if exists ' ~ fresh) %}
  {% do run_query('drop table if exists ' ~ merged) %}
  {% do run_query('create table ' ~ fresh ~ ' using parquet as select ' ~ columns ~ ' from ' ~ source) %}
  {% set build_merged %}
    create table {{ merged }} using parquet as
    select {{ columns }} from {{ target }} as kept
    where not exists (
        select 1 from {{ fresh }} as fresh
        where {% for key in keys %}fresh.{{ key }} = kept.{{ key }}{{ " and " if not loop.last }}{% endfor %}
    )
    union all
    select {{ columns }} from {{ fresh }}
  {% endset %}
  {% do run_query(build_merged) %}
  {% do run_query('insert overwrite table ' ~ target ~ ' select ' ~ columns ~ ' from ' ~ merged) %}
  {% do run_query('drop table if exists ' ~ fresh) %}
  {% do run_query('drop table if exists ' ~ merged) %}
  {#- the materialization's main statement: drop the cached file listing of the rewritten table -#}
  {{ return('refresh table ' ~ target) }}
{% endmacro %}


{#- dbt-spark's snapshot materialization without the Delta/Iceberg/Hudi requirement; the merge
    of the staging rows into the snapshot is the parquet rewrite described above. -#}
{% materialization snapshot, adapter='spark' %}
  {%- set target_table = model.get('alias', model.get('name')) -%}
  {%- set strategy_name = config.get('strategy') -%}
  {%- set grant_config = config.get('grants') -%}
  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none, schema=model.schema, identifier=target_table, type='table') -%}
  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}
  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}
      {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
      {% set final_sql = create_table_as(False, target_relation, build_sql) %}
  {% else %}
      {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}
      {{ adapter.valid_snapshot_target(target_relation, columns) }}
      {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}
      {% set final_sql = citypulse_spark_snapshot_rewrite_sql(target_relation, staging_table, columns) %}
  {% endif %}

  {% call statement('main') %}
      {{ final_sql }}
  {% endcall %}
  {% if target_relation_exists %}
      {% do run_query('drop table if exists ' ~ target_relation.incorporate(path={'identifier': target_relation.identifier ~ '__dbt_next'})) %}
  {% endif %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {% if staging_table is defined %}
      {% do post_snapshot(staging_table) %}
  {% endif %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The snapshot merge as a rewrite: current versions that changed or vanished get the staging
    row's valid_to (merge `when matched ... update`), new versions are appended (`insert`). -#}
{% macro citypulse_spark_snapshot_rewrite_sql(target, staging, names) %}
  {%- set target_columns = adapter.get_columns_in_relation(target) -%}
  {%- set merged = target.incorporate(path={'identifier': target.identifier ~ '__dbt_next'}) -%}
  {% do run_query('drop table if exists ' ~ merged) %}
  {% set build_merged %}
    create table {{ merged }} using parquet as
    select
        {%- for column in target_columns %}
        {%- if column.name == names.dbt_valid_to %}
        case
            when changes.{{ names.dbt_scd_id }} is not null and versions.{{ names.dbt_valid_to }} is null
                then changes.{{ names.dbt_valid_to }}
            else versions.{{ names.dbt_valid_to }}
        end as {{ column.quoted }}
        {%- else %}
        versions.{{ column.quoted }}
        {%- endif %}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ target }} as versions
    left join (
        select * from {{ staging }} where dbt_change_type in ('update', 'delete')
    ) as changes on versions.{{ names.dbt_scd_id }} = changes.{{ names.dbt_scd_id }}
    union all
    select {{ target_columns | map(attribute='quoted') | join(', ') }}
    from {{ staging }}
    where dbt_change_type = 'insert'
  {% endset %}
  {% do run_query(build_merged) %}
  {{ return('insert overwrite table ' ~ target ~ ' select * from ' ~ merged) }}
{% endmacro %}
