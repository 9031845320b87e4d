"""A dbt-duckdb plugin: the functions our SQL needs that DuckDB lacks.

- ``citypulse_nfkc(text)``: Unicode NFKC (DuckDB only has ``nfc_normalize``). Vectorised through
  Arrow (``pyarrow.compute.utf8_normalize``): whole vectors, not rows, cross into Python.
- the variable ``citypulse_pii_key`` for the keyed hash of personal accounts, set per connection so
  the key never appears in compiled SQL (macros/pseudonymise.sql reads it with ``getvariable``).

Registered in profiles.yml (``plugins: - module: citypulse.warehouse.duckdb_functions``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from dbt.adapters.duckdb.plugins import BasePlugin

from citypulse.warehouse.pii import pii_key


def nfkc(values: pa.Array) -> pa.Array:
    return pc.utf8_normalize(values, form="NFKC")


def register(conn: Any, home: Path) -> None:
    """Install the functions and the PII key on a DuckDB connection (also used outside dbt)."""
    conn.create_function("citypulse_nfkc", nfkc, ["VARCHAR"], "VARCHAR", type="arrow", side_effects=False)
    conn.execute("set variable citypulse_pii_key = ?", [pii_key(home)])


def _home() -> Path:
    return Path(os.environ.get("CITYPULSE_HOME", "./data")).expanduser().resolve()


class Plugin(BasePlugin):
    def configure_connection(self, conn: Any) -> None:
        register(conn, _home())

    def configure_cursor(self, cursor: Any) -> None:
        # dbt runs SQL on cursors; DuckDB variables belong to one client context, not the database.
        cursor.execute("set variable citypulse_pii_key = ?", [pii_key(_home())])
