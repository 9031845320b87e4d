"""Which build relations reach serving.duckdb, and that nothing else, nor an incomplete copy, is swapped in.

Small hand-made build databases (no dbt): the real build's published set is checked in
test_write_audit_publish.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.warehouse.audit_scope import published_since
from citypulse.warehouse.checks import CheckResult
from citypulse.warehouse.publish import PUBLISH_MARKER, CopyDuringAudit, is_published, publish

PUBLISHED = [
    "bridge_post_topic",
    "dim_account",
    "dim_post",
    "eval_run",
    "fct_post_daily",
    "ops_quality_results",
]
BUILD_SQL = """
create schema staging;
create schema intermediate;
create schema snapshots;
create schema audit;
create table staging.stg_post_observations as
    select 'p1' as post_id, timestamp '2026-12-01 08:00:00' as built_at
    union all select 'p2', timestamp '2026-12-02 09:30:00';
create table intermediate.int_accounts as select 'a1' as account_id, '张三' as account_name, 'p_1' as account_id_public;
create view intermediate.int_view as select 1 as x;
create table snapshots.snap_accounts as select 'a1' as account_id;
create table audit.check_results as select 'r' as run_id;
create table main.accounts as select 'a1' as account_id, '张三' as account_name;
create table main.int_eval_settings as select 1 as x;
create table main.dimension as select 1 as x;
create table main.dim_post as select 'k1' as post_key, 'p_1' as account_id;
create table main.dim_account as select 'p_1' as account_id;
create table main.fct_post_daily as select 'k1' as post_key, 3 as views;
create table main.bridge_post_topic as select 'k1' as post_key;
create table main.eval_run as select 'r1' as run_id;
create table main.ops_quality_results (run_id varchar, check_source varchar, suite varchar,
    check_name varchar, status varchar, failing_rows bigint, details varchar, checked_at timestamptz, stage varchar);
"""


def _write_build(settings: Settings, extra_sql: str = "") -> None:
    settings.warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.build_db)) as conn:
        conn.execute(BUILD_SQL + extra_sql)


def _relations(path: object) -> set[tuple[str, str]]:
    with duckdb.connect(str(path), read_only=True) as conn:
        rows = conn.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
            " union all select schema_name, view_name from duckdb_views()"
            " where database_name = current_database() and not internal"
        ).fetchall()
        schemas = conn.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database()"
        ).fetchall()
    assert schemas == [("main",)]
    return {(schema, name) for schema, name in rows}


@pytest.mark.parametrize(
    ("schema", "table", "published"),
    [
        ("main", "dim_post", True),
        ("main", "fct_post_daily", True),
        ("main", "bridge_post_topic", True),
        ("main", "eval_run", True),
        ("main", "ops_rejects", True),
        ("main", "accounts", False),  # a raw seed: platform ids of private accounts
        ("main", "int_eval_settings", False),
        ("main", "dimension", False),  # a prefix is the whole word before the underscore
        ("intermediate", "int_accounts", False),
        ("intermediate", "dim_post", False),  # a mart's name outside main is not a mart
        ("staging", "fct_x", False),
        ("snapshots", "snap_accounts", False),
        ("audit", "check_results", False),
    ],
)
def test_is_published_by_schema_and_prefix(schema: str, table: str, published: bool) -> None:
    assert is_published(schema, table) is published


def test_publish_copies_exactly_the_published_marts(home: Settings) -> None:
    _write_build(home)
    publish(home)
    assert _relations(home.serving_db) == {("main", t) for t in [*PUBLISHED, PUBLISH_MARKER]}
    with duckdb.connect(str(home.serving_db), read_only=True) as conn:
        assert conn.execute("select post_key, views from fct_post_daily").fetchall() == [("k1", 3)]
    # the next audit starts from what was published
    assert published_since(home.serving_db) == "2026-12-02 09:30:00"
    assert not list(home.warehouse.glob(".serving-*"))


def test_a_mart_built_as_a_view_is_published_as_its_rows(home: Settings) -> None:
    _write_build(
        home, "create view main.fct_city_view as select views * 2 as doubled from main.fct_post_daily;"
    )
    publish(home)
    assert ("main", "fct_city_view") in _relations(home.serving_db)
    with duckdb.connect(str(home.serving_db), read_only=True) as conn:
        assert conn.execute("select doubled from fct_city_view").fetchall() == [(6,)]


def test_a_copy_that_fails_midway_is_never_swapped_in(home: Settings) -> None:
    _write_build(home)
    publish(home)
    before = home.serving_db.read_bytes()
    # a mart view whose table is gone: the copy fails after the marts sorted before it were created
    with duckdb.connect(str(home.build_db)) as conn:
        conn.execute("create table main.gone as select 1 as x")
        conn.execute("create view main.fct_zz_broken as select * from main.gone")
        conn.execute("drop table main.gone")
    with pytest.raises(duckdb.Error, match="gone"):
        publish(home)
    assert home.serving_db.read_bytes() == before
    assert not list(home.warehouse.glob(".serving-*"))


def test_a_copy_missing_a_required_mart_is_never_swapped_in(home: Settings) -> None:
    _write_build(home)
    publish(home)
    before = home.serving_db.read_bytes()
    with duckdb.connect(str(home.build_db)) as conn:
        conn.execute("drop table main.fct_post_daily")
    with pytest.raises(CityPulseError, match="marts missing: fct_post_daily"):
        publish(home)
    assert home.serving_db.read_bytes() == before
    assert not list(home.warehouse.glob(".serving-*"))


def test_the_copy_made_during_the_audit_records_its_results_in_the_mart_only(home: Settings) -> None:
    _write_build(home)
    copy = CopyDuringAudit(home)
    try:
        copy.wait()  # the audit waits here before it records its results in the build
        check = CheckResult("build-1", "dbt", "test", "not_null_dim_post", "pass", 0, None, datetime.now(UTC))
        copy.publish([check])
    finally:
        copy.discard()
    assert _relations(home.serving_db) == {("main", t) for t in [*PUBLISHED, PUBLISH_MARKER]}
    with duckdb.connect(str(home.serving_db), read_only=True) as conn:
        rows = conn.execute("select run_id, check_name, stage from ops_quality_results").fetchall()
    assert rows == [("build-1", "not_null_dim_post", "build")]
    assert not list(home.warehouse.glob(".serving-*"))
