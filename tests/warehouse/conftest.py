"""One warehouse history per test module, since every dbt build costs tens of seconds.

The sequence mirrors real use: batch one is built; batch two lands and the next build is
incremental, audited and published; a full refresh on the same inputs is compared with it; then a
bad batch lands and its build must fail the audit without touching serving.duckdb.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from citypulse.settings import Settings
from citypulse.warehouse.build import BuildOutcome, build, run_dbt_build
from tests.warehouse.lake_builder import write_bad_batch, write_batch_one, write_batch_two

FACTS = {
    "fct_post_snapshot": "post_snapshot_key",
    "fct_post_daily": "post_day_key",
    "fct_account_daily": "account_day_key",
    "fct_topic_daily": "topic_day_key",
    # incremental intermediates (keyword matches, latest-ingest staging) feed these: compared too
    "dim_post": "post_key",
    "dim_topic": "topic_key",
    "fct_city_platform_daily": "city_platform_day_key",
    "fct_post_latest": "post_key",
    "fct_city_theme_daily": "city_theme_day_key",
}


def read_table(db: Path, table: str, order_by: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(f"select * from main.{table} order by {order_by}").df()


@dataclass
class WarehouseHistory:
    settings: Settings
    published: BuildOutcome
    serving_copy: Path
    incremental_facts: dict[str, pd.DataFrame] = field(default_factory=dict)
    full_refresh_facts: dict[str, pd.DataFrame] = field(default_factory=dict)
    serving_bytes_before_bad: bytes = b""
    bad: BuildOutcome | None = None
    bad_ingest_id: str = ""


@contextmanager
def home_settings(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Settings]:
    """Settings of a new data home of its own (generated PII key) for a module's builds."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CITYPULSE_HOME", str(tmp_path_factory.mktemp(name) / "home"))
    mp.delenv("CITYPULSE_PII_KEY", raising=False)
    try:
        yield Settings.from_env().ensure()
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WarehouseHistory]:
    with home_settings(tmp_path_factory, "warehouse") as settings:
        yield _history(settings)


def _history(settings: Settings) -> WarehouseHistory:
    write_batch_one(settings)
    run_dbt_build(settings)
    write_batch_two(settings)
    published = build(settings)  # incremental: only batch two's ingests are new
    serving_copy = settings.home.parent / "serving-after-good-build.duckdb"
    shutil.copyfile(settings.serving_db, serving_copy)
    state = WarehouseHistory(settings, published, serving_copy)
    state.incremental_facts = {t: read_table(settings.build_db, t, k) for t, k in FACTS.items()}

    run_dbt_build(settings, full_refresh=True)
    state.full_refresh_facts = {t: read_table(settings.build_db, t, k) for t, k in FACTS.items()}

    state.serving_bytes_before_bad = settings.serving_db.read_bytes()
    state.bad_ingest_id = write_bad_batch(settings)
    state.bad = build(settings)
    return state
