{{ config(tags=['eval_marts']) }}

{{ eval_run_mart('eval_platform_score') }}
