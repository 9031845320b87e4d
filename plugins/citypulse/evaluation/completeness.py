"""Before a run: does every registered official account have data through month end + maturity?"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from citypulse.evaluation.inputs import Window, query


def missing_accounts(con: duckdb.DuckDBPyConnection, window: Window) -> pl.DataFrame:
    """Registered official accounts whose last observed local day is before the required day."""
    required: date = window.period.last_required_day(window.maturity_days)
    last_days = query(con, "completeness", window.params())
    return last_days.filter(pl.col("last_day").is_null() | (pl.col("last_day") < required))


def describe(missing: pl.DataFrame, window: Window) -> str:
    """One line per missing account, naming platform, account, city and its last observed day."""
    required = window.period.last_required_day(window.maturity_days)
    lines = [
        f"{r['platform']} account {r['account_id']} ({r['account_name'] or '?'}, city {r['city_code']}): "
        + (f"last data {r['last_day']}" if r["last_day"] else "no data at all")
        for r in missing.iter_rows(named=True)
    ]
    return (
        f"period {window.period} is incomplete: {missing.height} registered official account(s) lack "
        f"data through {required} (month end + {window.maturity_days} days):\n  " + "\n  ".join(lines)
    )
