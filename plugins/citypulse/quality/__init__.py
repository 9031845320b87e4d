"""Data-quality checks on lake batches (Great Expectations suites from ``expectations/``)."""
