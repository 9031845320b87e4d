"""One audit check result, and where results are kept (audit.check_results and ops_quality_results)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import duckdb

# Matches ops_quality_results (docs/marts-contract.md) plus the build-stage marker.
_COLUMNS = "run_id, check_source, suite, check_name, status, failing_rows, details, checked_at"


@dataclass(frozen=True)
class CheckResult:
    run_id: str
    check_source: str  # dbt | gx
    suite: str
    check_name: str
    status: str  # pass | fail | warn | error | skipped
    failing_rows: int | None
    details: str | None
    checked_at: datetime

    @property
    def blocks_publish(self) -> bool:
        return self.status in ("fail", "error")

    def to_json(self) -> dict[str, object]:
        out = asdict(self)
        out["checked_at"] = self.checked_at.isoformat()
        return out


def record(build_db: Path, results: list[CheckResult], audit_log: bool = True) -> None:
    """Append results to the build database: the audit log (kept across builds) and ops_quality_results.

    ``audit_log=False`` appends to ops_quality_results only: the publish's copy, which must hold
    nothing but published marts (citypulse.warehouse.publish), records them so.
    """
    if not results:
        return
    rows = [
        (r.run_id, r.check_source, r.suite, r.check_name, r.status, r.failing_rows, r.details, r.checked_at)
        for r in results
    ]
    with duckdb.connect(str(build_db)) as conn:
        if audit_log:
            conn.execute("create schema if not exists audit")
            conn.execute(
                "create table if not exists audit.check_results (run_id varchar, check_source varchar,"
                " suite varchar, check_name varchar, status varchar, failing_rows bigint, details varchar,"
                " checked_at timestamptz)"
            )
            conn.executemany(
                f"insert into audit.check_results ({_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
        # The mart was built before the tests ran; the current run's results are appended so the build
        # database shows them even when the audit fails (nothing is published then).
        has_mart = conn.execute(
            "select count(*) from information_schema.tables where table_schema = 'main'"
            " and table_name = 'ops_quality_results'"
        ).fetchone()
        if has_mart and has_mart[0]:
            conn.executemany(
                f"insert into main.ops_quality_results ({_COLUMNS}, stage) values (?, ?, ?, ?, ?, ?, ?, ?, 'build')",
                rows,
            )
