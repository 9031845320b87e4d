-- Every landed post observation, typed and NFKC-normalised; one row per lake row (duplicates kept, tested).
with lake_rows as (
    select * from {{ lake_source('post_observations') }}
),

typed as (
    select {{ typed_lake_columns('post_observations', normalised=['account_name', 'title', 'text', 'source_keyword', 'ip_location']) }}
    from lake_rows
)

select * from typed
