{{ config(tags=['eval_marts']) }}

{#- The run's frozen diag_accounts.parquet files (citypulse.diagnostics); empty and typed when no run has them. -#}
{{ eval_diag_mart('diag_accounts', [
    ('run_id', 'text'),
    ('city_code', 'text'),
    ('platform', 'text'),
    ('account_id', 'text'),
    ('account_name', 'text'),
    ('weeks', 'int'),
    ('weeks_with_posts', 'int'),
    ('week_share', 'double'),
    ('longest_gap_days', 'int'),
    ('updated_every_week', 'flag'),
    ('captioned_posts', 'int'),
    ('homogeneity', 'double')
]) }}
