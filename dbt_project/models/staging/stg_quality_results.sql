-- GX results recorded by landing: one row per expectation per landed file.
with landing_checks as (
    select * from {{ lake_source('quality_results') }}
),

typed as (
    select {{ typed_lake_columns('quality_results') }}
    from landing_checks
)

select * from typed
