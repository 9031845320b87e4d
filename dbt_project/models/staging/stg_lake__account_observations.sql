-- Every landed account observation, typed and NFKC-normalised; one row per lake row.
with lake_rows as (
    select * from {{ lake_source('account_observations') }}
),

typed as (
    select {{ typed_lake_columns('account_observations', normalised=['account_name', 'verified_type', 'description', 'location']) }}
    from lake_rows
)

select * from typed
