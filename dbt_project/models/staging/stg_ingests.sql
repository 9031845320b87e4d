-- The landing ledger: one row per file offered to landing.
with ledger as (
    select * from {{ lake_source('ingests') }}
),

typed as (
    select {{ typed_lake_columns('ingests', normalised=['original_name']) }}
    from ledger
)

select * from typed
