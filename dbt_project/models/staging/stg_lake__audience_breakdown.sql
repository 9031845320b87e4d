-- Every landed audience bucket, typed; the bucket label NFKC-normalised (full-width letters and
-- digits in exported labels compare equal to their ASCII spelling). One row per lake row.
with lake_rows as (
    select * from {{ lake_source('audience_breakdown') }}
),

typed as (
    select {{ typed_lake_columns('audience_breakdown', normalised=['bucket']) }}
    from lake_rows
)

select * from typed
