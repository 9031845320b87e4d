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

reason_codes as (
    select reason_code, label_zh from {{ ref('reason_codes') }}
),

-- the stable category of each reject; rejects landed before landing wrote one get it from the
-- wording of their reason (the engine's fixed phrases), else unknown
coded as (
    select
        rejected.*,
        coalesce(
            rejected.reason_code,
            case
                when rejected.reason like '%is not a number%' or rejected.reason like '%is not a rate%'
                    or rejected.reason like '%is not a percentage%' or rejected.reason like '%is not a duration%'
                    or rejected.reason like '%not an exact count%' then 'number_unparseable'
                when rejected.reason like '%is not a date%' then 'date_unparseable'
                when rejected.reason like '%repeated header row%' then 'header_row'
                when rejected.reason like '%description row under the header%' then 'description_row'
                when rejected.reason like '%totals row%' then 'totals_row'
                when rejected.reason like '%required value%' then 'required_missing'
                when rejected.reason like '%is negative%' then 'negative_count'
                when rejected.reason like '%more than a day after the observation time%' then 'published_after_observed'
                when rejected.reason like '%appears again later%' or rejected.reason like '%appears earlier in this file%' then 'duplicate_key'
                else 'unknown'
            end
        ) as coded_reason
    from rejected
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
        rejected.coded_reason as reason_code,
        coalesce(reason_codes.label_zh, rejected.coded_reason) as reason_label,
        case when row_accounts.shows_raw then rejected.record end as record,
        ledger.platform,
        ledger.original_name
    from coded as rejected
    left join reason_codes on rejected.coded_reason = reason_codes.reason_code
    left join ledger on rejected.ingest_id = ledger.ingest_id
    left join row_accounts
        on rejected.ingest_id = row_accounts.ingest_id and rejected.source_row is not distinct from row_accounts.source_row
)

select * from final
