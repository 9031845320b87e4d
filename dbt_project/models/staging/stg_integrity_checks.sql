-- The latest ledger integrity audit: one row per check (empty before the first audit).
with recorded_checks as (
    select * from {{ lake_source('integrity_checks') }}
),

typed as (
    select {{ typed_lake_columns('integrity_checks') }}
    from recorded_checks
)

select * from typed
