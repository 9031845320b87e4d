with ledger as (
    select * from {{ ref('stg_ingests') }}
),

accounts as (
    select platform, account_id, account_type from {{ ref('int_accounts') }}
),

reason_codes as (
    select reason_code, label_zh from {{ ref('reason_codes') }}
),

-- a quarantined file always has a category: entries written before landing recorded one get it
-- from the wording of their error, else unknown
coded as (
    select
        ledger.*,
        case
            when ledger.reason_code is not null then ledger.reason_code
            when ledger.status <> 'quarantined' then null
            when ledger.error like '%no adapter matches%' then 'no_adapter'
            when ledger.error like '%not a readable zip archive%' then 'archive_unreadable'
            when ledger.error like '%zip archive holds no files%' or ledger.error like '%no member of the archive%' then 'archive_empty'
            when ledger.error like '%ambiguous day/month order%' then 'date_order_ambiguous'
            when ledger.error like '%could not be parsed%' then 'parse_failed'
            when ledger.error like '%codec%' or ledger.error like '%decode%' or ledger.error like '%encoding%' then 'encoding'
            when ledger.error like '%_manifest.yaml%' then 'manifest_invalid'
            else 'unknown'
        end as coded_reason
    from ledger
),

final as (
    select
        ledger.ingest_id, ledger.original_name, ledger.platform,
        -- the account the file's folder names, as every mart shows it (PIPL: pseudonymised types and
        -- accounts never seen in a row show the keyed pseudonym)
        case when ledger.account_id is not null then {{ public_account_id('ledger.account_id', 'accounts.account_type') }} end as account_id,
        ledger.adapter, ledger.size_bytes, ledger.encoding, ledger.observed_at, ledger.observed_at_source,
        ledger.landed_at, ledger.status, ledger.rows_in, ledger.rows_landed, ledger.rows_rejected, ledger.error,
        ledger.coded_reason as reason_code, reason_codes.label_zh as reason_label,
        ledger.raw_path,
        {{ local_date('ledger.landed_at') }} as landed_date
    from coded as ledger
    left join reason_codes on ledger.coded_reason = reason_codes.reason_code
    left join accounts on ledger.platform = accounts.platform and ledger.account_id = accounts.account_id
)

select * from final
