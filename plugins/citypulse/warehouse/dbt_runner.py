"""dbt as a subprocess: a fresh process per invocation releases the DuckDB lock when it exits
(dbtRunner in-process has kept locks on DuckDB files after returning, dbt-core #11980)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from shutil import which
from typing import Any

from citypulse.environment import process_env
from citypulse.errors import CityPulseError
from citypulse.settings import Settings
from citypulse.warehouse.pii import pii_key

_TAIL_LINES = 40
# dbt nodes run side by side, one DuckDB connection each on the build database (dbt-duckdb shares
# one database instance between its threads, and DuckDB's MVCC serialises their writes per table).
# Each node's Python overhead then overlaps another node's query, which shortens full and
# incremental builds and the data tests alike.
DBT_THREADS = str(max(1, min(4, os.cpu_count() or 1)))


@dataclass
class DbtInvocation:
    command: list[str]
    returncode: int
    seconds: float
    results: list[dict[str, Any]] = field(default_factory=list)
    output_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def problems(self) -> list[str]:
        """Nodes that did not succeed, as 'unique_id: status: message'."""
        bad = [
            r for r in self.results if r.get("status") not in ("success", "pass", "skipped", "warn", "no-op")
        ]
        return [f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:300]}" for r in bad]


def dbt_executable() -> str:
    """The dbt of the running virtualenv (the pipeline venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    found = which("dbt")
    if found is None:
        raise CityPulseError("dbt is not installed in this environment (expected beside python or on PATH)")
    return found


def target_path(settings: Settings, read_only: bool = False) -> Path:
    """Where dbt writes its artifacts for this data home (concurrent builds of different homes
    must not share run_results.json). The audit's read-only invocations keep their own: dbt
    parses the whole project again (3 s) when the profile differs from the one its saved
    manifest was parsed with, and the access mode is part of the profile."""
    return settings.warehouse / ("dbt_target_audit" if read_only else "dbt_target")


def run_dbt(
    settings: Settings, args: list[str], target: Path | None = None, env: dict[str, str] | None = None
) -> DbtInvocation:
    target = target or target_path(settings)
    # dbt's plugin needs the PII key on every connection; a missing or unreadable key is told here
    # in one line rather than as a traceback from inside dbt
    pii_key(settings.home)
    command = [
        dbt_executable(),
        *args,
        "--project-dir",
        str(settings.dbt_project),
        "--profiles-dir",
        str(settings.dbt_project),
        "--target-path",
        str(target),
        "--log-path",
        str(settings.warehouse / "dbt_logs"),
    ]
    run_results = target / "run_results.json"
    run_results.unlink(missing_ok=True)
    started = time.monotonic()
    completed = subprocess.run(
        command,
        env=process_env(settings, **(env or {})),
        capture_output=True,
        text=True,
        cwd=settings.dbt_project,
        check=False,
    )
    seconds = time.monotonic() - started
    results: list[dict[str, Any]] = []
    if run_results.exists():
        results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    tail = "\n".join((completed.stdout + completed.stderr).splitlines()[-_TAIL_LINES:])
    return DbtInvocation(command, completed.returncode, seconds, results, tail)
