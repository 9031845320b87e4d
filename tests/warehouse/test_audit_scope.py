"""The audit of an incremental build tests the posts written since the last publish, on
real dbt + DuckDB: a bad batch after a publish is still refused, stays refused until fixed, and the
scoped tests really read only the new posts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from citypulse.settings import Settings
from citypulse.warehouse.audit_scope import published_since
from citypulse.warehouse.build import BuildOutcome, build
from citypulse.warehouse.dbt_runner import target_path
from tests.warehouse.conftest import home_settings
from tests.warehouse.lake_builder import write_bad_batch, write_batch_one, write_batch_two

pytestmark = pytest.mark.slow

SCOPED = ("one_post_observation_within_an_export", "non_negative_fct_post_snapshot_views")


def _failed(outcome: BuildOutcome) -> set[str]:
    assert outcome.audit is not None
    return {c.check_name for c in outcome.audit.failed}


def _compiled_scope_tests(settings: Settings) -> dict[str, str]:
    """Compiled SQL of the audit's tests that read a scope, by test name."""
    results = json.loads(
        (target_path(settings, read_only=True) / "run_results.json").read_text(encoding="utf-8")
    )
    return {
        r["unique_id"].split(".")[2]: r["compiled_code"]
        for r in results["results"]
        if "built_at >" in (r.get("compiled_code") or "")
    }


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with home_settings(tmp_path_factory, "audit-scope") as settings:
        yield settings


def test_scoped_audit_refuses_bad_rows_until_they_are_fixed(settings: Settings) -> None:
    write_batch_one(settings)
    first = build(settings, full_refresh=True)
    assert first.status == "published", first.to_json()
    # the first audit had nothing published to start from: it read every row
    assert not _compiled_scope_tests(settings)
    since = published_since(settings.serving_db)
    assert since is not None

    write_bad_batch(settings)
    bad = build(settings)
    assert bad.status == "audit_failed"
    assert set(SCOPED) <= _failed(bad)
    scoped = _compiled_scope_tests(settings)
    # the costly per-post tests were scoped to what was written since the publish
    assert any("one_post_observation_within_an_export" in name for name in scoped)
    assert any("assert_post_deltas_sum_to_last_cumulative" in name for name in scoped)
    assert all(f"'{since}'" in sql for sql in scoped.values())
    assert published_since(settings.serving_db) == since  # nothing was published

    # the next build adds good data only: the refused rows are still unpublished, so still in scope
    write_batch_two(settings)
    again = build(settings)
    assert again.status == "audit_failed"
    assert set(SCOPED) <= _failed(again)


def test_scope_reads_only_posts_written_since_the_publish(settings: Settings) -> None:
    since = published_since(settings.serving_db)
    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        schema = con.execute(
            "select table_schema from information_schema.tables where table_name = 'stg_post_observations'"
        ).fetchone()
        assert schema is not None
        all_posts, new_posts = con.execute(
            f"select count(distinct post_id), count(distinct post_id) filter (where built_at > cast(? as timestamp))"
            f' from "{schema[0]}".stg_post_observations',
            [since],
        ).fetchone()  # type: ignore[misc]
    # batch one's posts that no later file carried are outside the scope
    assert 0 < new_posts < all_posts


def test_published_since_is_none_without_a_stamped_warehouse(tmp_path: Path) -> None:
    assert published_since(tmp_path / "missing.duckdb") is None
    legacy = tmp_path / "legacy.duckdb"
    with duckdb.connect(str(legacy)) as con:
        con.execute("create table stg_post_observations (post_id varchar)")
    assert published_since(legacy) is None
