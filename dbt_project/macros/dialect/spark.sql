{#
  Spark SQL (dbt-spark, target `spark`; docs/spark.md). The models are the DuckDB ones; every
  difference of dialect lives here as the spark__ side of a dispatched macro. The session is
  prepared by citypulse.warehouse.spark_session: citypulse_nfkc() (a Python UDF), the session
  variable citypulse_pii_key and the UTC session time zone. dbt-spark turns ANSI mode off on every
  statement, so "date" would be a string literal there: models quote names with adapter.quote().
#}

{#- Declared lake/seed types (DuckDB spelling) in Spark's: Spark has no length-less varchar and
    no timestamptz (its `timestamp` is an instant shown in the session time zone, UTC here). -#}
{% macro spark__lake_type(declared) -%}
    {%- set spark_types = {'varchar': 'string', 'text': 'string', 'timestamptz': 'timestamp',
                           'timestamp with time zone': 'timestamp', 'double precision': 'double'} -%}
    {{- return(spark_types.get(declared | lower, declared)) -}}
{%- endmacro %}

{% macro spark__eval_double() -%}double{%- endmacro %}

{% macro spark__eval_timestamptz() -%}timestamp{%- endmacro %}


{#- The lake as external tables (schema `lake`), one per source, declared with the source's column
    types: a folder without files reads as an empty table (no glob() needed to detect it), files
    that lack a later-added column read it as NULL (DuckDB's union_by_name), and the platform
    column comes from the files themselves (recursive listing, no partition inference). Dropping
    an external table never deletes its files. Recreated on every build so a moved data home or a
    new column is picked up. -#}
{% macro spark__lake_source(table_name) -%}
    {%- set relation = source('lake', table_name) -%}
    {%- if not execute -%}
        {{ return('lake.' ~ table_name) }}
    {%- endif -%}
    {%- set node = graph.sources['source.citypulse.lake.' ~ table_name] -%}
    {%- set lake_path = node.meta['lake_path'] -%}
    {#- Hadoop reads S3 as s3a:// (the URL landing wrote to says s3://, as fsspec spells it). -#}
    {%- set folder = node.meta['lake_root'] | replace('s3://', 's3a://', 1) ~ '/' ~ lake_path.split('/')[0] -%}
    {%- set file_glob = lake_path.split('/')[-1] -%}
    {%- set columns = [] -%}
    {%- for column in node.columns.values() -%}
        {%- do columns.append(adapter.quote(column.name) ~ ' ' ~ lake_type(column.data_type)) -%}
    {%- endfor -%}
    {%- do run_query('create database if not exists lake') -%}
    {%- do run_query('drop table if exists lake.' ~ table_name) -%}
    {%- do run_query(
        'create table lake.' ~ table_name ~ ' (' ~ columns | join(', ') ~ ') using parquet'
        ~ " options (recursiveFileLookup 'true', pathGlobFilter '" ~ file_glob ~ "')"
        ~ " location '" ~ folder ~ "'") -%}
    {{ return('lake.' ~ table_name) }}
{%- endmacro %}


{#- Frozen evaluation files. One run folder's file: read directly (it always exists). -#}
{% macro spark__eval_frozen(name) -%}
    parquet.`{{ env_var("CITYPULSE_EVAL_RUN_DIR", "") }}/{{ name }}.parquet`
{%- endmacro %}

{#- pattern is '<dir>/<file glob>' under evaluations_root, e.g. 'run_id=*/eval_input.parquet' or
    '_status/*.parquet': the folder is the part before the first wildcard segment. -#}
{% macro citypulse_spark_eval_location(pattern) -%}
    {%- set segments = pattern.split('/') -%}
    {%- set walk = namespace(fixed=[], open=true) -%}
    {%- for segment in segments[:-1] -%}
        {%- if walk.open and '*' not in segment -%}{%- do walk.fixed.append(segment) -%}{%- else -%}{%- set walk.open = false -%}{%- endif -%}
    {%- endfor -%}
    {%- set fixed = walk.fixed -%}
    {%- set folder = ([var('evaluations_root')] + fixed) | join('/') -%}
    {{ return({'folder': folder, 'file_glob': segments[-1],
               'table': 'lake.evaluation_' ~ (pattern | replace('run_id=*/', '') | replace('*', 'all')
                                                     | replace('/', '_') | replace('.parquet', '') | replace('.', '_'))}) }}
{%- endmacro %}

{#- Whether a file matches: Spark SQL has no glob(), so an external binaryFile table lists the
    folder (an absent folder lists as empty); only the path column is read, never the bytes. -#}
{% macro spark__eval_files_exist(pattern) -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set where = citypulse_spark_eval_location(pattern) -%}
    {%- set probe = 'lake.evaluation_file_listing' -%}
    {%- do run_query('create database if not exists lake') -%}
    {%- do run_query('drop table if exists ' ~ probe) -%}
    {%- do run_query('create table ' ~ probe ~ " using binaryFile options (recursiveFileLookup 'true', pathGlobFilter '"
                     ~ where.file_glob ~ "') location '" ~ where.folder ~ "'") -%}
    {%- set found = run_query('select count(*) from ' ~ probe) -%}
    {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- Every run's file of one output: an external table whose schema merges all files (older runs
    lacking a later column read it as NULL, like union_by_name); run_id comes from the files. -#}
{% macro spark__eval_run_files(pattern) -%}
    {%- set where = citypulse_spark_eval_location(pattern) -%}
    {%- if execute -%}
        {%- do run_query('create database if not exists lake') -%}
        {%- do run_query('drop table if exists ' ~ where.table) -%}
        {%- do run_query('create table ' ~ where.table ~ " using parquet options (recursiveFileLookup 'true', pathGlobFilter '"
                         ~ where.file_glob ~ "', mergeSchema 'true') location '" ~ where.folder ~ "'") -%}
    {%- endif -%}
    {{ return(where.table) }}
{%- endmacro %}


{#- Text. citypulse_nfkc is registered on the session (unicodedata.normalize). -#}
{% macro spark__nfkc(expression) -%}
    citypulse_nfkc({{ expression }})
{%- endmacro %}

{#- The DuckDB patterns; Spark string literals unescape backslashes, so regex escapes are doubled. -#}
{% macro spark__extract_topics(text_expression, platform_expression) -%}
    case
        when {{ platform_expression }} = 'weibo'
            then regexp_extract_all({{ text_expression }}, '#([^#\\r\\n]{1,64})#', 1)
        else regexp_extract_all({{ text_expression }}, '#([^#\\s,.!?;:，。！？；：、()（）【】\\[\\]"“”''‘’]{1,64})', 1)
    end
{%- endmacro %}

{% macro spark__unnest_list(expression) -%}
    explode({{ expression }})
{%- endmacro %}

{% macro spark__matches_pattern(expression, pattern) -%}
    coalesce(({{ expression }}) rlike '{{ pattern }}', false)
{%- endmacro %}

{% macro spark__contains_keyword(haystack, needle) -%}
    (instr(lower({{ haystack }}), lower({{ needle }})) > 0)
{%- endmacro %}

{% macro spark__contains_lowered(haystack, needle) -%}
    (instr({{ haystack }}, {{ needle }}) > 0)
{%- endmacro %}

{#- Sorted like DuckDB's `string_agg(... order by ...)`: dbt-spark's listagg ignores the order, and
    an unordered list would change fingerprints from one build to the next. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}


{#- Surrogate keys hash text: an instant must read as DuckDB's timestamptz text ('… 02:00:00+00',
    session time zone UTC), or every key built from observed_at would differ between engines.
    typeof() is resolved from the column's type when the query is analysed, not per row. -#}
{% macro spark__key_text(column) -%}
    case when typeof({{ column }}) = 'timestamp' then cast({{ column }} as string) || '+00' else cast({{ column }} as string) end
{%- endmacro %}

{#- PII: the same hash(key || hash(key || value)) as DuckDB (sha256 hex), from the session variable. -#}
{% macro spark__keyed_hash(expression) -%}
    sha2(citypulse_pii_key || sha2(citypulse_pii_key || cast({{ expression }} as string), 256), 256)
{%- endmacro %}


{#- Time: timestamps are instants; the session time zone is UTC. -#}
{% macro spark__local_date(timestamp_expression) -%}
    cast(from_utc_timestamp({{ timestamp_expression }}, '{{ var("local_tz") }}') as date)
{%- endmacro %}

{#- dbt-spark's dateadd goes through unix seconds and returned NULL for `+1 year` of a
    date_trunc('year', …) here, which left dim_date empty; Spark has timestampadd. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, cast({{ from_date_or_timestamp }} as timestamp))
{%- endmacro %}

{% macro spark__date_spine(bounds) -%}
    select explode(sequence(start_day, end_day, interval 1 day)) as date_day
    from {{ bounds }}
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}

{% macro spark__previous_known(expression, partition_by, order_by) -%}
    last_value({{ expression }}, true) over (
        partition by {{ partition_by }} order by {{ order_by }}
        rows between unbounded preceding and 1 preceding
    )
{%- endmacro %}


{#- Seeds: dbt-spark's seed loader binds values by pasting them between quotes (Xi'an breaks it)
    and takes column_types as written (varchar has no length-less form in Spark). These two are
    dbt-spark's macros with the types mapped and the values written as escaped literals. -#}
{% macro spark__create_csv_table(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
            {%- set type = lake_type(column_override.get(col_name, inferred_type)) -%}
            {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
  {% endset %}
  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}
  {{ return(sql) }}
{% endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set column_override = model['config'].get('column_types', {}) -%}
  {%- set types = [] -%}
  {%- for col_name in agate_table.column_names -%}
      {%- do types.append(lake_type(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)))) -%}
  {%- endfor -%}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(get_batch_size()) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for value in row -%}
                  {%- if value is none -%}cast(null as {{ types[loop.index0] }})
                  {%- else -%}cast('{{ (value | string) | replace("\\", "\\\\") | replace("'", "''") }}' as {{ types[loop.index0] }})
                  {%- endif -%}{%- if not loop.last %}, {% endif -%}
              {%- endfor -%})
              {%- if not loop.last %},{% endif %}
          {%- endfor %}
      {% endset %}
      {% do adapter.add_query(sql, abridge_sql_log=True) %}
      {% if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif %}
  {% endfor %}
  {{ return(statements[0] if statements else '') }}
{% endmacro %}
