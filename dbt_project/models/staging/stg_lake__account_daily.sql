-- Every landed account reporting day, typed; one row per lake row.
with lake_rows as (
    select * from {{ lake_source('account_daily') }}
),

typed as (
    select {{ typed_lake_columns('account_daily') }}
    from lake_rows
)

select * from typed
