{#
  Reading the lake. A fresh data home has no parquet files yet, and read_parquet() of an empty glob
  is an error, so every lake read goes through lake_source(): the declared source when files exist,
  otherwise an empty relation typed from the source's column declarations (models/staging/_staging.yml).
  Calling source() either way keeps lineage and freshness in the docs.
#}

{% macro lake_has_files(path_glob) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set found = run_query("select count(*) from glob('" ~ path_glob ~ "')") -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{% macro lake_source(table_name) -%}
    {{ return(adapter.dispatch('lake_source', 'citypulse')(table_name)) }}
{%- endmacro %}

{% macro default__lake_source(table_name) -%}
    {%- set relation = source('lake', table_name) -%}
    {%- if not execute -%}
        {{ relation }}
    {%- else -%}
        {%- set node = graph.sources['source.citypulse.lake.' ~ table_name] -%}
        {%- if lake_has_files(node.meta['lake_root'] ~ '/' ~ node.meta['lake_path']) -%}
            {#- files written before a later-added column lack it; union_by_name fills it only
                when some file has it, so a column no file has yet reads as a typed NULL -#}
            {%- set present = run_query('select * from ' ~ relation ~ ' limit 0').column_names | map('lower') | list -%}
            {%- set absent = [] -%}
            {%- for column in node.columns.values() if column.name | lower not in present -%}
                {%- do absent.append(column) -%}
            {%- endfor -%}
            {%- if absent -%}
                (
                    select *
                    {%- for column in absent %},
                        cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }}
                    {%- endfor %}
                    from {{ relation }}
                )
            {%- else -%}
                {{ relation }}
            {%- endif -%}
        {%- else -%}
            (
                select
                {%- for column in node.columns.values() %}
                    cast(null as {{ column.data_type }}) as {{ adapter.quote(column.name) }}{{ "," if not loop.last }}
                {%- endfor %}
                where 1 = 0
            )
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{# A declared column type (models/staging/_staging.yml, seeds) in the warehouse's spelling. #}
{% macro lake_type(declared) -%}
    {{ return(adapter.dispatch('lake_type', 'citypulse')(declared)) }}
{%- endmacro %}

{% macro default__lake_type(declared) -%}
    {{ return(declared) }}
{%- endmacro %}

{#
  The lake columns of a source, cast to their declared types; text columns listed in `normalised`
  are NFKC-normalised (docs/decisions.md: NFKC happens in the warehouse, the lake keeps what was exported).
#}
{% macro typed_lake_columns(table_name, normalised=[]) -%}
    {%- if not execute -%}{{ return('*') }}{%- endif -%}
    {%- set node = graph.sources['source.citypulse.lake.' ~ table_name] -%}
    {%- for column in node.columns.values() %}
        {%- set quoted = adapter.quote(column.name) %}
        {%- if column.name in normalised %}
        {{ nfkc('cast(' ~ quoted ~ ' as ' ~ lake_type(column.data_type) ~ ')') }} as {{ quoted }}
        {%- else %}
        cast({{ quoted }} as {{ lake_type(column.data_type) }}) as {{ quoted }}
        {%- endif %}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#
  Overlapping exports repeat observations: keep one row per key, the one from the latest ingest
  (ledger landed_at; ingest_id and source_row break ties deterministically).
#}
{% macro latest_ingest_wins(relation, key_columns, stamped=false) -%}
    {%- set columns = adapter.get_columns_in_relation(relation) if execute else [] -%}
    with landed_rows as (
        select * from {{ relation }}
    ),

    {{ ledger_times_cte() }},

    {{ latest_version_ctes('landed_rows', key_columns, columns) }}

    select *{{ stamp_column() if stamped }} from final
{%- endmacro %}

{#- ingest_id -> when the ledger landed it: what latest_ingest_wins orders versions by. Only
    ingests the ledger records as landed: a lake file without such an entry (a crash or a failed
    ledger write between the two) is an orphan, reported by `citypulse doctor`, never published. -#}
{% macro ledger_times_cte() -%}
    ledger_times as (
        select ingest_id, max(landed_at) as ingest_landed_at
        from {{ ref('stg_ingests') }}
        where status = 'landed'
        group by ingest_id
    )
{%- endmacro %}

{#- The CTEs ranked_versions and final: the latest version of each key among the CTE `rows`,
    ordered by ledger_times (ledger_times_cte), with how many versions were seen. -#}
{% macro latest_version_ctes(rows, key_columns, columns) -%}
    ranked_versions as (
        select
            {{ rows }}.*,
            ledger_times.ingest_landed_at,
            count(*) over (partition by {{ key_columns | join(', ') }}) as versions_seen,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by ledger_times.ingest_landed_at desc nulls last,
                    {{ rows }}.ingest_id desc, {{ rows }}.source_row desc
            ) as version_rank
        from {{ rows }}
        inner join ledger_times on {{ rows }}.ingest_id = ledger_times.ingest_id
    ),

    final as (
        select
            {%- for column in columns %}
            {{ adapter.quote(column.name) }},
            {%- endfor %}
            ingest_landed_at,
            versions_seen
        from ranked_versions
        where version_rank = 1
    )
{%- endmacro %}
