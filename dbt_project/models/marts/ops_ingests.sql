with ledger as (
    select * from {{ ref('stg_ingests') }}
),

final as (
    select
        ingest_id, original_name, platform, account_id, adapter, size_bytes, encoding, observed_at, observed_at_source,
        landed_at, status, rows_in, rows_landed, rows_rejected, error, raw_path,
        {{ local_date('landed_at') }} as landed_date
    from ledger
)

select * from final
