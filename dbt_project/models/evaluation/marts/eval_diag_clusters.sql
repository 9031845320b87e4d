{{ config(tags=['eval_marts']) }}

{#- The run's frozen diag_clusters.parquet files (citypulse.diagnostics); empty and typed when no run has them. -#}
{{ eval_diag_mart('diag_clusters', [
    ('run_id', 'text'),
    ('city_code', 'text'),
    ('platform', 'text'),
    ('cluster_id', 'text'),
    ('cluster_size', 'int'),
    ('cluster_accounts', 'int'),
    ('example_rank', 'int'),
    ('post_id', 'text'),
    ('account_id', 'text'),
    ('account_name', 'text'),
    ('title', 'text'),
    ('post_url', 'text'),
    ('published_at', 'timestamp')
]) }}
