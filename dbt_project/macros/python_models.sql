{#-
    dbt-duckdb 1.11.1 writes an incremental Python model's per-run scratch relation
    (`<model>__dbt_tmp<timestamp>`) as a plain table in the main schema, because its py_write_table
    ignores `temporary`, and the incremental materialization then leaves it in place (it drops only
    relations it did not ask to be temporary). A temp table is no way out: dbt reads the scratch
    table's columns from another connection. So the model's post-hook drops it: without this, every
    incremental build left a copy of its new signatures in build.duckdb and serving.duckdb.
-#}
{% macro drop_python_incremental_scratch() -%}
    {%- if execute and is_incremental() -%}
        {%- set scratch = run_query(
            "select schema_name, table_name from duckdb_tables() where database_name = '" ~ this.database
            ~ "' and starts_with(table_name, '" ~ this.identifier ~ "__dbt_tmp')"
        ) -%}
        {%- for row in scratch.rows -%}
            {%- do run_query('drop table if exists "' ~ this.database ~ '"."' ~ row[0] ~ '"."' ~ row[1] ~ '"') -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
