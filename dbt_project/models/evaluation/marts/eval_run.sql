{{ config(tags=['eval_marts']) }}

with manifests as (

    {{ eval_frozen_runs('eval_run') }}

),

-- Restating never edits a manifest: it appends _status/<run_id>.<seq>.parquet; the latest wins.
status_changes as (

    {{ eval_frozen_runs('status', '_status/*.parquet') }}

),

latest_status as (

    select run_id, is_official, changed_at, reason
    from (
        select
            status_changes.*,
            row_number() over (partition by run_id order by seq desc) as recency
        from status_changes
    ) as ordered_changes
    where recency = 1

),

final as (

    select
        manifests.run_id,
        manifests.period,
        manifests.methodology_version,
        manifests.config_sha256,
        manifests.input_cutoff,
        manifests.git_commit,
        manifests.started_at,
        manifests.finished_at,
        manifests.status,
        coalesce(latest_status.is_official, manifests.is_official) as is_official,
        manifests.is_official as was_official_at_creation,
        latest_status.changed_at as status_changed_at,
        latest_status.reason as status_reason,
        manifests.allow_incomplete,
        manifests.missing_accounts,
        manifests.restates_run_id,
        manifests.panel_cities
    from manifests
    left join latest_status on manifests.run_id = latest_status.run_id

)

select * from final
