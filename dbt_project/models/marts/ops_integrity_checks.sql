-- The data home against its ledger, as the latest audit found it: orphan lake files (never
-- published) and raw copies missing or changed. One row per check, with its Chinese label.
with checks as (
    select * from {{ ref('stg_integrity_checks') }}
),

final as (
    select
        check_name,
        case check_name
            when 'ledger:orphan lake files' then '无台账记录的湖文件'
            when 'ledger:raw copies' then '原始文件副本'
            else check_name
        end as check_label,
        ok,
        findings,
        detail,
        checked_at,
        deep
    from checks
)

select * from final
