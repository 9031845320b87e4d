with rejected as (
    select * from {{ ref('stg_rejects') }}
),

ledger as (
    select ingest_id, max(platform) as platform, max(original_name) as original_name
    from {{ ref('stg_ingests') }}
    group by ingest_id
),

final as (
    select
        rejected.ingest_id,
        rejected.source_row,
        rejected.{{ adapter.quote("column") }},
        rejected.value,
        rejected.reason,
        rejected.record,
        ledger.platform,
        ledger.original_name
    from rejected
    left join ledger on rejected.ingest_id = ledger.ingest_id
)

select * from final
