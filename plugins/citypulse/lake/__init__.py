"""The lake: canonical typed parquet written by landing and read by dbt."""
