{{ config(tags=['eval_marts']) }}

{{ eval_run_mart('eval_composite_score') }}
