"""Write-audit-publish: dbt writes build.duckdb, the audit checks it, publish swaps it in as serving.

``citypulse build`` calls :func:`build`; the Airflow DAG runs the same steps as separate tasks
(Cosmos for the dbt nodes, then :func:`citypulse.warehouse.audit.audit` and
:func:`citypulse.warehouse.publish.publish`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from citypulse.errors import CityPulseError
from citypulse.lake import integrity
from citypulse.progress import step
from citypulse.settings import Settings
from citypulse.warehouse.audit import AuditResult, audit, new_run_id
from citypulse.warehouse.dbt_runner import DBT_THREADS, DbtInvocation, run_dbt, target_path
from citypulse.warehouse.manifest import adopt_manifest
from citypulse.warehouse.publish import CopyDuringAudit

# Seeds, snapshots and models in dependency order; tests run in the audit, after every write.
_WRITE_SELECTOR = ["--exclude", "resource_type:test", "resource_type:unit_test"]


@dataclass
class BuildOutcome:
    run_id: str
    status: str  # published | audit_failed
    audit: AuditResult | None = None
    serving_db: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 0 if self.status == "published" else 2

    def to_json(self) -> dict[str, object]:
        failed = [c.to_json() for c in self.audit.failed] if self.audit else []
        return {
            "run_id": self.run_id,
            "status": self.status,
            "published": self.serving_db is not None,
            "serving_db": str(self.serving_db) if self.serving_db else None,
            "checks": len(self.audit.checks) if self.audit else 0,
            "warnings": sum(1 for c in self.audit.checks if c.status == "warn") if self.audit else 0,
            "failed_checks": failed,
            "message": self.audit.summary() if self.audit else None,
            "timings": self.timings,
        }


def run_dbt_build(settings: Settings, full_refresh: bool = False) -> DbtInvocation:
    """dbt seed + snapshot + run (as one ``dbt build`` without tests) into build.duckdb.

    The ledger integrity checks (shallow) are recorded first, so each build publishes a current
    ``ops_integrity_checks`` (the Airflow DAG records them in a task of its own before Cosmos runs dbt).
    """
    settings.warehouse.mkdir(parents=True, exist_ok=True)
    integrity.audit_and_record(settings, deep=False)
    args = ["build", *_WRITE_SELECTOR, "--threads", DBT_THREADS]
    if full_refresh:
        args.append("--full-refresh")
    invocation = run_dbt(settings, args)
    if not invocation.ok:
        problems = "\n".join(invocation.problems()) or invocation.output_tail
        raise CityPulseError(f"dbt build failed (serving.duckdb untouched):\n{problems}")
    # The Airflow DAG renders from dbt_project/target/manifest.json: keep it current for free.
    adopt_manifest(settings, target_path(settings) / "manifest.json")
    return invocation


def build(settings: Settings, full_refresh: bool = False) -> BuildOutcome:
    outcome = BuildOutcome(run_id=new_run_id(), status="audit_failed")
    started = time.monotonic()

    step("dbt build → build.duckdb")
    written = run_dbt_build(settings, full_refresh=full_refresh)
    outcome.timings["dbt_build_s"] = round(written.seconds, 2)

    step("audit: dbt tests + GX (the build copied for publishing meanwhile)")
    copy = CopyDuringAudit(settings)
    try:
        outcome.audit = audit(settings, run_id=outcome.run_id, before_record=copy.wait)
        outcome.timings.update(outcome.audit.timings)
        if outcome.audit.passed:
            step("publish → serving.duckdb")
            publish_started = time.monotonic()
            outcome.serving_db = copy.publish(outcome.audit.checks)
            outcome.timings["publish_s"] = round(time.monotonic() - publish_started, 2)
            outcome.status = "published"
    finally:
        copy.discard()
    outcome.timings["total_s"] = round(time.monotonic() - started, 2)
    return outcome
