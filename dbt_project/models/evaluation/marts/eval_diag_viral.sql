{{ config(tags=['eval_marts']) }}

{#- The run's frozen diag_viral.parquet files (citypulse.diagnostics); empty and typed when no run has them. -#}
{{ eval_diag_mart('diag_viral', [
    ('run_id', 'text'),
    ('city_code', 'text'),
    ('platform', 'text'),
    ('account_id', 'text'),
    ('account_name', 'text'),
    ('post_id', 'text'),
    ('title', 'text'),
    ('post_url', 'text'),
    ('date_day', 'date'),
    ('views', 'int'),
    ('views_growth', 'int'),
    ('views_p99', 'double'),
    ('engagements', 'int'),
    ('engagements_growth', 'int'),
    ('engagements_p99', 'double'),
    ('views_viral', 'flag'),
    ('engagements_viral', 'flag')
]) }}
