-- Every landed row of the platform's own per-post daily values, typed; one row per lake row.
-- Ids are not normalised: they are the platform's own, compared byte for byte with post_observations.
with lake_rows as (
    select * from {{ lake_source('post_daily') }}
),

typed as (
    select {{ typed_lake_columns('post_daily') }}
    from lake_rows
)

select * from typed
