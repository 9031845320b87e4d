"""dbt on Spark compared with DuckDB (make test-spark)."""
