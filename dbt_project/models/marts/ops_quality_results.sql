-- Landing's GX results from the lake, and the results of earlier builds' audits (dbt tests and GX)
-- kept by the audit in audit.check_results. The current build's audit appends its own rows after
-- the tests ran (plugins/citypulse/warehouse/audit.py), so a failed audit is visible here.
{%- set audit_log = adapter.get_relation(database=target.database, schema='audit', identifier='check_results') if execute else none %}
with landing_checks as (
    select
        run_id,
        check_source,
        suite,
        check_name,
        status,
        failing_rows,
        details,
        checked_at,
        'landing' as stage
    from {{ ref('stg_quality_results') }}
),

build_checks as (
    {%- if audit_log is not none %}
    select run_id, check_source, suite, check_name, status, failing_rows, details, checked_at, 'build' as stage
    from {{ audit_log }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as run_id,
        cast(null as {{ dbt.type_string() }}) as check_source,
        cast(null as {{ dbt.type_string() }}) as suite,
        cast(null as {{ dbt.type_string() }}) as check_name,
        cast(null as {{ dbt.type_string() }}) as status,
        cast(null as {{ dbt.type_bigint() }}) as failing_rows,
        cast(null as {{ dbt.type_string() }}) as details,
        cast(null as {{ lake_type('timestamptz') }}) as checked_at,
        'build' as stage
    where 1 = 0
    {%- endif %}
),

final as (
    select * from landing_checks
    union all
    select * from build_checks
)

select * from final
