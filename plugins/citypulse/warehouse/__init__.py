"""The warehouse: dbt builds build.duckdb, audits check it, publish swaps it in as serving.duckdb."""
