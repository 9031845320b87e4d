"""Small decisions the DAGs make between library calls (kept here so they are unit-tested)."""
