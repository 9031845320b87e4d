"""Audit the build database: every dbt test (data and unit tests) and the GX suites on the marts.

Every result is recorded in build.duckdb (audit.check_results and ops_quality_results) whether it
passed or not; the audit passes only when nothing failed or errored (warnings pass and are kept).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.warehouse.audit_scope import SINCE_ENV, published_since
from citypulse.warehouse.checks import CheckResult, record
from citypulse.warehouse.dbt_runner import DBT_THREADS, DbtInvocation, run_dbt, target_path
from citypulse.warehouse.gx_audit import run_gx_suites

# profiles.yml: the access mode of dbt's connection to the build database
ACCESS_MODE_ENV = "CITYPULSE_DBT_ACCESS_MODE"
_DBT_STATUS = {"pass": "pass", "fail": "fail", "warn": "warn", "error": "error", "skipped": "skipped"}


@dataclass
class AuditResult:
    run_id: str
    checks: list[CheckResult] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if c.blocks_publish]

    @property
    def passed(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        if self.passed:
            return f"audit {self.run_id} passed: {len(self.checks)} checks"
        names = "; ".join(
            f"{c.check_source} {c.check_name} ({c.status}, {c.failing_rows} rows)" for c in self.failed
        )
        return f"audit {self.run_id} failed {len(self.failed)} of {len(self.checks)} checks: {names}"


def new_run_id() -> str:
    return f"build-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _dbt_checks(run_id: str, results: list[dict]) -> list[CheckResult]:
    checked_at = datetime.now(UTC)
    checks = []
    for result in results:
        unique_id = result["unique_id"]
        parts = unique_id.split(".")
        resource_type = parts[0]
        # data tests end in a hash suffix (test.citypulse.<name>.<hash>); unit tests are <model>.<name>
        name = parts[2] if resource_type == "test" else ".".join(parts[2:])
        checks.append(
            CheckResult(
                run_id=run_id,
                check_source="dbt",
                suite=resource_type,
                check_name=name,
                status=_DBT_STATUS.get(result.get("status", ""), "error"),
                failing_rows=result.get("failures"),
                details=(result.get("message") or None),
                checked_at=checked_at,
            )
        )
    return checks


def _timed_dbt_test(settings: Settings, since: str | None) -> tuple[DbtInvocation, float]:
    started = time.monotonic()
    tests = run_dbt(
        settings,
        ["test", "--threads", DBT_THREADS],
        target=target_path(settings, read_only=True),
        env={SINCE_ENV: since or "", ACCESS_MODE_ENV: "read_only"},
    )
    return tests, round(time.monotonic() - started, 2)


def audit(
    settings: Settings, run_id: str | None = None, before_record: Callable[[], None] | None = None
) -> AuditResult:
    """Run every check on the build; ``before_record`` is called before the results are written to
    the build (``citypulse build`` waits there for its publish copy, which reads the build)."""
    result = AuditResult(run_id=run_id or new_run_id())
    if not settings.build_db.exists():
        raise CityPulseError(
            f"nothing to audit: {settings.build_db} does not exist (run the dbt build first)"
        )

    started = time.monotonic()
    # tests over every post observation read the posts written since the last publish (audit_scope)
    since = published_since(settings.serving_db)
    # dbt opens the build database read-only (an audit writes nothing there until it records its
    # results), so the GX suites can read it meanwhile in this process: they overlap the dbt tests
    # instead of following them
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dbt-test") as pool:
        testing = pool.submit(_timed_dbt_test, settings, since)
        gx_started = time.monotonic()
        gx_checks = run_gx_suites(settings, result.run_id)
        result.timings["gx_s"] = round(time.monotonic() - gx_started, 2)
        tests, result.timings["dbt_test_s"] = testing.result()
    result.checks.extend(_dbt_checks(result.run_id, tests.results))
    if not tests.results and not tests.ok:
        # dbt failed before running any test (compile error): that is a failed audit, with dbt's words.
        result.checks.append(
            CheckResult(
                result.run_id,
                "dbt",
                "invocation",
                "dbt test",
                "error",
                None,
                tests.output_tail,
                datetime.now(UTC),
            )
        )
    result.checks.extend(gx_checks)
    result.timings["audit_s"] = round(time.monotonic() - started, 2)

    if before_record is not None:
        before_record()
    record(settings.build_db, result.checks)
    return result
