"""How many rows GX looks at: past ``CITYPULSE_GX_MAX_ROWS`` rows, an even sample (every n-th row).

Both GX stages sample the same way. The hard checks run on every row elsewhere: landing refuses bad
rows one by one, and the dbt tests of the audit read every row of every mart. GX watches the shape
of the data (ranges, sets, types, nulls), which an even sample shows. Validating whole tables in
pandas grew faster than the data: at 10M post observations it cost 112 s of a 306 s build.
"""

from __future__ import annotations

import os

MAX_ROWS_ENV = "CITYPULSE_GX_MAX_ROWS"
DEFAULT_MAX_ROWS = 200_000


def max_rows() -> int:
    value = os.environ.get(MAX_ROWS_ENV)
    return int(value) if value else DEFAULT_MAX_ROWS


def every_nth(total: int) -> int:
    """The step of the even sample of ``total`` rows: 1 (every row) up to the limit."""
    return max(1, -(-total // max_rows()))
