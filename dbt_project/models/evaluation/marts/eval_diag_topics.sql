{{ config(tags=['eval_marts']) }}

{#- The run's frozen diag_topics.parquet files (citypulse.diagnostics); empty and typed when no run has them. -#}
{{ eval_diag_mart('diag_topics', [
    ('run_id', 'text'),
    ('city_code', 'text'),
    ('platform', 'text'),
    ('week', 'date'),
    ('topic', 'text'),
    ('accounts', 'int'),
    ('posts', 'int')
]) }}
