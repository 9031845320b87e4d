-- Refused values of landed files: where (file, row, column) and why, for every reject. The raw row
-- (record) and the refused value are shown only for rows of an account whose type is not
-- pseudonymised (PIPL, docs/privacy.md): a row of a personal or unknown account, or one whose account
-- cannot be told (a whole row refused, a topic list row), keeps neither. Engineers read them in
-- build.duckdb's staging.stg_rejects and in the lake.
with rejected as (
    select * from {{ ref('stg_rejects') }}
),

ledger as (
    select ingest_id, max(platform) as platform, max(original_name) as original_name, max(account_id) as account_id
    from {{ ref('stg_ingests') }}
    group by ingest_id
),

-- the account of a refused row: what the file's folder names, else what the row itself landed
-- with (a row whose other cells landed); the lake's rows, not the latest-ingest-wins staging, so an
-- ingest restated by a later one still finds its rows
{%- set entities = ['post_observations', 'account_observations', 'account_daily', 'post_daily', 'audience_breakdown'] %}
landed_rows as (
    {%- for entity in entities %}
    select ingest_id, source_row, platform, account_id
    from {{ ref('stg_lake__' ~ entity) }}
    where ingest_id in (select ingest_id from rejected) and account_id is not null
    {{ "union" if not loop.last }}
    {%- endfor %}
),

accounts as (
    select platform, account_id, account_type from {{ ref('int_accounts') }}
),

row_accounts as (
    select
        rejected.ingest_id,
        rejected.source_row,
        -- shown only when every account the row names is known and of a type shown as is (an
        -- account not found has a NULL type: unknown, pseudonymised)
        min(case when {{ is_pseudonymised('accounts.account_type') }} then 0 else 1 end) = 1 as shows_raw
    from (select distinct ingest_id, source_row from rejected) as rejected
    left join ledger on rejected.ingest_id = ledger.ingest_id
    left join landed_rows
        on rejected.ingest_id = landed_rows.ingest_id and rejected.source_row = landed_rows.source_row
    left join accounts
        on coalesce(landed_rows.platform, ledger.platform) = accounts.platform
        and coalesce(landed_rows.account_id, ledger.account_id) = accounts.account_id
    group by rejected.ingest_id, rejected.source_row
),

final as (
    select
        rejected.ingest_id,
        rejected.source_row,
        rejected.{{ adapter.quote("column") }},
        case when row_accounts.shows_raw then rejected.value end as value,
        -- a reason quotes the refused value: not where the value itself is not shown
        case
            when row_accounts.shows_raw or coalesce(rejected.value, '') = '' then rejected.reason
            else replace(rejected.reason, rejected.value, '…')
        end as reason,
        case when row_accounts.shows_raw then rejected.record end as record,
        ledger.platform,
        ledger.original_name
    from rejected
    left join ledger on rejected.ingest_id = ledger.ingest_id
    left join row_accounts
        on rejected.ingest_id = row_accounts.ingest_id and rejected.source_row is not distinct from row_accounts.source_row
)

select * from final
