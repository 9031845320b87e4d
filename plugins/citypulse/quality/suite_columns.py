"""Which columns a GX suite reads: both GX stages hand GX values only of those (moving post titles,
texts and URLs into pandas for no expectation was most of the cost of validating big frames)."""

from __future__ import annotations

from typing import Any


def columns_read(expectations: list[dict[str, Any]]) -> set[str]:
    """The columns whose values the suite's expectations look at (table-level ones, such as
    ``expect_table_columns_to_match_set``, need only the columns' names)."""
    used: set[str] = set()
    for expectation in expectations:
        kwargs = expectation["kwargs"]
        used |= {kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs}
        used |= set(kwargs.get("column_list") or [])
    return used


def reads_table(expectations: list[dict[str, Any]]) -> bool:
    """Whether an expectation looks at the table as a whole (its columns must all be there)."""
    return any(e["type"].startswith("expect_table_") for e in expectations)
