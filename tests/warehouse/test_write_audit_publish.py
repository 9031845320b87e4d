"""Write-audit-publish on real dbt + DuckDB + GX over a fixture lake."""

from __future__ import annotations

import duckdb
import pytest

from citypulse.warehouse.audit import ACCESS_MODE_ENV
from citypulse.warehouse.dbt_runner import run_dbt
from citypulse.warehouse.publish import PUBLISH_MARKER, is_published
from tests.warehouse.conftest import WarehouseHistory
from tests.warehouse.lake_builder import PERSON_DOUYIN, PERSONAL_NAMES

pytestmark = pytest.mark.slow

MARTS = [
    "dim_platform",
    "dim_city",
    "dim_account",
    "dim_post",
    "dim_topic",
    "bridge_post_topic",
    "dim_date",
    "fct_post_snapshot",
    "fct_post_daily",
    "fct_account_daily",
    "fct_topic_daily",
    "ops_ingests",
    "ops_rejects",
    "ops_quality_results",
    "ops_freshness",
    "ops_integrity_checks",
]


def test_good_build_publishes_every_mart(history: WarehouseHistory) -> None:
    outcome = history.published
    assert outcome.exit_code == 0, outcome.to_json()
    assert outcome.to_json()["status"] == "published"
    assert outcome.audit is not None and outcome.audit.passed
    sources = {c.check_source for c in outcome.audit.checks}
    assert sources == {"dbt", "gx"}
    assert any(c.suite == "unit_test" and c.status == "pass" for c in outcome.audit.checks)
    with duckdb.connect(str(history.serving_copy), read_only=True) as conn:
        for mart in MARTS:
            count = conn.execute(f"select count(*) from main.{mart}").fetchone()
            assert count is not None and count[0] > 0, mart
        audit_rows = conn.execute(
            "select count(*) from ops_quality_results where run_id = ? and stage = 'build'", [outcome.run_id]
        ).fetchone()
        assert audit_rows is not None and audit_rows[0] == len(outcome.audit.checks)


def test_serving_holds_exactly_the_published_marts(history: WarehouseHistory) -> None:
    listing = (
        "select schema_name, table_name from duckdb_tables() where database_name = current_database()"
        " union all select schema_name, view_name from duckdb_views()"
        " where database_name = current_database() and not internal"
    )
    with duckdb.connect(str(history.settings.build_db), read_only=True) as conn:
        built = {(schema, name) for schema, name in conn.execute(listing).fetchall()}
    # the build keeps the re-identification table, the raw seeds and every other schema
    assert {("intermediate", "int_accounts"), ("main", "accounts"), ("audit", "check_results")} <= built
    assert {schema for schema, _ in built} >= {"main", "staging", "intermediate", "snapshots", "audit"}
    expected = {("main", name) for schema, name in built if is_published(schema, name)}
    assert {("main", "fct_post_caption_signature"), ("main", "dim_official_account")} <= expected
    with duckdb.connect(str(history.serving_copy), read_only=True) as conn:
        served = {(schema, name) for schema, name in conn.execute(listing).fetchall()}
        schemas = conn.execute(
            "select schema_name from duckdb_schemas() where database_name = current_database()"
        ).fetchall()
        # the evaluation finds every post's caption signature under dim_post's key
        unsigned = conn.execute(
            "select count(*) from dim_post anti join fct_post_caption_signature using (post_key)"
        ).fetchone()
    assert schemas == [("main",)]
    assert served == expected | {("main", PUBLISH_MARKER)}
    assert unsigned == (0,)


def test_overlapping_exports_counted_once_and_latest_ingest_wins(history: WarehouseHistory) -> None:
    with duckdb.connect(str(history.serving_copy), read_only=True) as conn:
        rows = conn.execute(
            "select observed_at, views from fct_post_snapshot where post_id = 'dy1' order by observed_at"
        ).fetchall()
    assert [views for _, views in rows] == [1010, 3000]  # batch two's correction of the same observation


def test_daily_facts_keep_corrections_and_sum_to_cumulative(history: WarehouseHistory) -> None:
    with duckdb.connect(str(history.serving_copy), read_only=True) as conn:
        dy2 = conn.execute(
            "select likes, likes_delta, is_correction, carries_prior_accumulation from fct_post_daily"
            " where post_id = 'dy2' order by date_day"
        ).fetchall()
        weibo_views = conn.execute(
            "select views, views_delta from fct_post_daily where post_id = 'wb1'"
        ).fetchall()
    assert dy2 == [(400, 400, False, True), (380, -20, True, False)]
    assert weibo_views == [(None, None)]  # Weibo exports no views: unknown, not zero


def test_topics_in_every_spelling_meet(history: WarehouseHistory) -> None:
    with duckdb.connect(str(history.serving_copy), read_only=True) as conn:
        topics = conn.execute(
            "select p.post_id from bridge_post_topic b join dim_post p using (post_key)"
            " join dim_topic t using (topic_key) where t.platform = 'douyin' and t.topic = '大足石刻' order by 1"
        ).fetchall()
    assert [t[0] for t in topics] == ["dy1", "dy2", "dy3"]


def test_personal_accounts_are_pseudonymised_everywhere(history: WarehouseHistory) -> None:
    with duckdb.connect(str(history.serving_copy), read_only=True) as conn:
        person = conn.execute(
            "select account_id, account_name, account_type from dim_account where account_id like 'p_%'"
        ).fetchall()
        assert len(person) == 1 and person[0][2] == "personal"
        assert person[0][1] not in PERSONAL_NAMES
        for mart in MARTS:
            columns = [r[0] for r in conn.execute(f"describe main.{mart}").fetchall()]
            for column in columns:
                leaked = conn.execute(
                    f'select count(*) from main.{mart} where cast("{column}" as varchar) in (?, ?)',
                    [PERSON_DOUYIN[1], PERSON_DOUYIN[2]],
                ).fetchone()
                assert leaked is not None and leaked[0] == 0, f"{mart}.{column} shows a personal identifier"
        influencer = conn.execute(
            "select account_name from dim_account where account_type = 'influencer'"
        ).fetchall()
    assert influencer == [("旅行达人阿杰",)]
    key_file = history.settings.home / "secrets" / "pii.key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_incremental_build_equals_full_refresh(history: WarehouseHistory) -> None:
    for table, incremental in history.incremental_facts.items():
        full = history.full_refresh_facts[table]
        assert len(incremental) > 0, table
        assert incremental.equals(full), f"{table}: incremental build differs from full refresh"


def test_bad_batch_fails_audit_and_leaves_serving_untouched(history: WarehouseHistory) -> None:
    bad = history.bad
    assert bad is not None
    assert bad.exit_code == 2
    report = bad.to_json()
    assert report["status"] == "audit_failed" and report["published"] is False
    failed_names = " ".join(c["check_name"] for c in report["failed_checks"])  # type: ignore[union-attr]
    assert "one_post_observation_within_an_export" in failed_names
    assert "non_negative_fct_post_snapshot_views" in failed_names
    assert "expect_column_values_to_be_between(column=views, min_value=0" in failed_names
    assert "non_negative_fct_post_snapshot_views" in str(report["message"])
    assert history.settings.serving_db.read_bytes() == history.serving_bytes_before_bad
    # the copy made for publishing while the audit ran is gone with the failed audit
    assert not list(history.settings.serving_db.parent.glob(".serving-*"))
    with duckdb.connect(str(history.settings.build_db), read_only=True) as conn:
        recorded = conn.execute(
            "select check_source, check_name, status, failing_rows from ops_quality_results"
            " where run_id = ? and status = 'fail' order by 1, 2",
            [bad.run_id],
        ).fetchall()
    assert ("dbt", "non_negative_fct_post_snapshot_views", "fail", 1) in {tuple(r) for r in recorded}
    assert any(r[0] == "gx" for r in recorded)


def test_the_audits_dbt_cannot_write_the_build(history: WarehouseHistory) -> None:
    # the audit's `dbt test` runs with this mode while the GX suites read the same file
    refused = run_dbt(history.settings, ["run", "--select", "dim_city"], env={ACCESS_MODE_ENV: "read_only"})
    assert not refused.ok
    assert "read-only" in " ".join(refused.problems()).lower() + refused.output_tail.lower()
