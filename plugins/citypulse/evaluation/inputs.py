"""Freeze a period's inputs from the published warehouse (serving.duckdb, opened read-only).

The SQL lives beside this module in ``sql/`` (one file per frozen table) so analysts can read
exactly what a run took from the marts. Nothing here loops over rows: DuckDB does the set work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from citypulse.errors import CityPulseError
from citypulse.evaluation.frozen import write_source
from citypulse.evaluation.methodology import Methodology
from citypulse.evaluation.period import Period

# the published marts (docs/marts-contract.md) the run reads: serving.duckdb holds nothing else, so
# the registry, the city keywords and the caption signatures are published as marts of their own
REQUIRED_RELATIONS = (
    "dim_city",
    "dim_post",
    "fct_post_snapshot",
    "fct_account_daily",
    "fct_topic_daily",
    "dim_official_account",  # the accounts registry's official accounts
    "dim_city_keyword",
    "fct_post_caption_signature",  # the diagnostics' caption signatures, kept by the build
)


@dataclass(frozen=True)
class Window:
    """The instants and days a period's run reads (all derived from the period and the config)."""

    period: Period
    maturity_days: int
    tz: str

    def params(self) -> dict[str, Any]:
        cutoff = self.period.input_cutoff(self.maturity_days, self.tz)
        return {
            "m_start": self.period.start_utc(self.tz),
            "m_end": self.period.end_utc(self.tz),
            "cutoff": cutoff,
            "first_day": self.period.first_day,
            "next_first_day": self.period.next_first_day,
            "cutoff_day": self.period.next_first_day + timedelta(days=self.maturity_days),
            "maturity_days": self.maturity_days,
            "days": self.period.days,
            "tz": self.tz,
        }


def _sql(name: str) -> str:
    return resources.files("citypulse.evaluation").joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    # DuckDB refuses named parameters a statement does not use ($cutoff is not used by $cutoff_day)
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def open_serving(serving_db: Path, methodology: Methodology) -> duckdb.DuckDBPyConnection:
    """An in-memory session that reads serving.duckdb read-only, with the frozen config registered."""
    if not serving_db.is_file():
        raise CityPulseError(f"no published warehouse at {serving_db}: run `citypulse build` first")
    con = duckdb.connect()
    con.execute("set timezone = 'UTC'")
    con.execute(f"attach '{serving_db}' as serving (read_only)")
    present = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where database_name = 'serving' "
            "union select view_name from duckdb_views() where database_name = 'serving'"
        ).fetchall()
    }
    missing = [r for r in REQUIRED_RELATIONS if r not in present]
    if missing:
        raise CityPulseError(f"{serving_db} lacks {missing}: the evaluation reads these marts")
    con.execute("use serving")
    con.register("config_platforms", methodology.tables["platforms"].to_arrow())
    con.register("config_hot_events", methodology.tables["hot_events"].to_arrow())
    return con


def _create(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...], params: dict[str, Any]) -> None:
    for table in tables:
        sql = _sql(table)
        con.execute(sql, _used(sql, params))


def prepare(con: duckdb.DuckDBPyConnection, window: Window) -> None:
    """The session's registry of official accounts (temp table ``registry_accounts``), which the
    completeness check, the frozen inputs and the diagnostics read."""
    _create(con, ("registry_accounts",), window.params())


def query(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pl.DataFrame:
    sql = _sql(name)
    return con.sql(sql, params=_used(sql, params)).pl()


def freeze_inputs(
    con: duckdb.DuckDBPyConnection, window: Window, methodology: Methodology, folder: Path
) -> dict[str, int]:
    """Write every ``source_*`` table of a run into ``folder``; returns row counts per table."""
    params = {**window.params(), "response_hours": int(methodology.setting("hot_event_response_hours"))}
    within_month = methodology.optional_setting("followers_start", "within_month") == "within_month"
    params["followers_start_until"] = params["next_first_day"] if within_month else params["cutoff_day"]
    _create(con, ("matured_posts", "topic_totals"), params)  # each read by two extractions
    frames = {
        "source_input": query(con, "source_input", params),
        "source_theme_posts": query(con, "source_theme_posts", params),
        "source_search_results": query(con, "source_search_results", params),
        "source_hot_events": query(con, "source_hot_events", params),
        "source_top_posts": query(con, "source_top_posts", params),
        "source_topic_measures": query(con, "source_topic_measures", params),
    }
    for name, frame in frames.items():
        write_source(folder, name, frame)
    return {name: frame.height for name, frame in frames.items()}
