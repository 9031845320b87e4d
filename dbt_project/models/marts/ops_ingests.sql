with ledger as (
    select * from {{ ref('stg_ingests') }}
),

accounts as (
    select platform, account_id, account_type from {{ ref('int_accounts') }}
),

final as (
    select
        ledger.ingest_id, ledger.original_name, ledger.platform,
        -- the account the file's folder names, as every mart shows it (PIPL: pseudonymised types and
        -- accounts never seen in a row show the keyed pseudonym)
        case when ledger.account_id is not null then {{ public_account_id('ledger.account_id', 'accounts.account_type') }} end as account_id,
        ledger.adapter, ledger.size_bytes, ledger.encoding, ledger.observed_at, ledger.observed_at_source,
        ledger.landed_at, ledger.status, ledger.rows_in, ledger.rows_landed, ledger.rows_rejected, ledger.error, ledger.raw_path,
        {{ local_date('ledger.landed_at') }} as landed_date
    from ledger
    left join accounts on ledger.platform = accounts.platform and ledger.account_id = accounts.account_id
)

select * from final
