{#
  latest_ingest_wins (macros/lake.sql) for an incremental model: a full refresh is exactly
  latest_ingest_wins; an incremental run redoes only the keys that a changed ingest carries.

  A changed ingest is one whose rows this table has not yet ranked with its current ledger time:
  a new file, or an old file the ledger now dates differently. For every key such an ingest
  carries, all versions of that key are read again from the lake and ranked as a full refresh
  ranks them, and replace the stored row (delete+insert on the key columns). Keys no changed
  ingest carries keep their row, which a full refresh would compute the same way from the same
  files. An ingest all of whose rows lost to later files has no row here and is re-read on every
  run (its keys ranked again, with the same result).

  The lake is read by ingest_id first (a filter the scan applies before the typed/normalised
  columns are computed), so a run reads and normalises the changed ingests and the ingests that
  share keys with them, not the whole lake.
#}
{% macro latest_ingest_wins_incremental(relation, key_columns, stamped=false) -%}
    {%- if not is_incremental() -%}
        {{ latest_ingest_wins(relation, key_columns, stamped) }}
    {%- else -%}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    with {{ ledger_times_cte() }},

    lake_ingests as (
        select distinct ingest_id from {{ relation }}
    ),

    ranked_ingests as (
        select distinct ingest_id, ingest_landed_at from {{ this }}
    ),

    changed_ingests as (
        select lake_ingests.ingest_id
        from lake_ingests
        left join ledger_times on lake_ingests.ingest_id = ledger_times.ingest_id
        left join ranked_ingests
            on lake_ingests.ingest_id = ranked_ingests.ingest_id
            and ranked_ingests.ingest_landed_at is not distinct from ledger_times.ingest_landed_at
        where ranked_ingests.ingest_id is null
    ),

    touched_keys as (
        select distinct
            {%- for key in key_columns %}
            {{ key }} as touched_key_{{ loop.index }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ relation }}
        where ingest_id in (select ingest_id from changed_ingests)
    ),

    {#- lake rows carrying a touched key; the ingest_id filter is applied by the scan, before the
        typed and normalised columns are computed, so only these ingests are normalised -#}
    ingests_to_read as (
        select distinct ingest_id
        from {{ relation }}
        inner join touched_keys on {{ touched_key_matches(key_columns) }}
    ),

    landed_rows as (
        select * from {{ relation }}
        where ingest_id in (select ingest_id from ingests_to_read)
    ),

    touched_rows as (
        select landed_rows.*
        from landed_rows
        inner join touched_keys on {{ touched_key_matches(key_columns) }}
    ),

    {{ latest_version_ctes('touched_rows', key_columns, columns) }}

    select *{{ stamp_column() if stamped }} from final
    {%- endif -%}
{%- endmacro %}

{% macro touched_key_matches(key_columns) -%}
    {%- for key in key_columns %}
        {{ key }} is not distinct from touched_keys.touched_key_{{ loop.index }}{{ " and" if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#
  The build that wrote a row: dbt's run_started_at (UTC), the same for every model of one
  invocation. A model downstream of a stamped incremental table redoes the keys whose rows carry
  a later stamp than its own newest row: written by a build it has not yet seen.
#}
{% macro build_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro stamp_column() -%}
    , {{ build_stamp() }} as built_at
{%- endmacro %}

{#- Earlier than any build: what an empty incremental table has seen. -#}
{% macro never() -%}
    cast('1900-01-01 00:00:00' as timestamp)
{%- endmacro %}

{#
  For a mart that is cheap to compute but costly to write (dim_post: titles and texts of millions of
  posts): an incremental run computes every row as a full refresh would and writes only the rows
  that are new or differ from the stored ones (delete+insert on the key). A row a full refresh would
  no longer produce is not deleted, so this suits tables whose rows never vanish (one per post).
  The stored table's columns are the model's (on_schema_change='fail').
#}
{% macro changed_rows_only(rows, key) -%}
    {%- if is_incremental() -%}
    {%- set columns = adapter.get_columns_in_relation(this) if execute else [] -%}
    select {{ rows }}.*
    from {{ rows }}
    left join {{ this }} as stored on {{ rows }}.{{ key }} = stored.{{ key }}
    where stored.{{ key }} is null
        or not (
        {%- for column in columns %}
            {{ rows }}.{{ column.quoted }} is not distinct from stored.{{ column.quoted }}{{ " and" if not loop.last }}
        {%- endfor %}
        )
    {%- else -%}
    select * from {{ rows }}
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of a per-post table appended incrementally (int_post_topics): deletes the rows derived
    from an earlier version of a post that int_posts has since restamped (posts_built_at: the version
    a row was derived from). Rows just appended carry the post's current stamp and stay. -#}
{% macro delete_rows_of_restamped_posts() -%}
    delete from {{ this }} as stored
    using {{ ref('int_posts') }} as posts
    where posts.platform = stored.platform
        and posts.post_id = stored.post_id
        and posts.built_at > stored.posts_built_at
{%- endmacro %}
