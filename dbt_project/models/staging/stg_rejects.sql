-- Refused values of landed files: one row per refused row and column.
with rejected as (
    select * from {{ lake_source('rejects') }}
),

typed as (
    select {{ typed_lake_columns('rejects') }}
    from rejected
)

select * from typed
