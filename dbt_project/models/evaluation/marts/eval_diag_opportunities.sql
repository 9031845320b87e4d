{{ config(tags=['eval_marts']) }}

{#- The run's frozen diag_opportunities.parquet files (citypulse.diagnostics); empty and typed when no run has them. -#}
{{ eval_diag_mart('diag_opportunities', [
    ('run_id', 'text'),
    ('city_code', 'text'),
    ('platform', 'text'),
    ('topic', 'text'),
    ('trend_day', 'date'),
    ('reads', 'int'),
    ('hot_search_hits', 'int')
]) }}
