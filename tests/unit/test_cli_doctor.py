from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from citypulse.cli import build_parser
from citypulse.settings import REPO_ROOT

CITYPULSE = [sys.executable, "-m", "citypulse.cli"]


def _run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CITYPULSE_HOME": str(home), **env}
    return subprocess.run(
        [*CITYPULSE, *args], capture_output=True, text=True, env=full_env, cwd=REPO_ROOT, timeout=120
    )


def test_help_lists_every_contract_command() -> None:
    out = subprocess.run([*CITYPULSE, "--help"], capture_output=True, text=True, timeout=60).stdout
    for command in ("sample", "land", "build", "evaluate", "report", "superset-bootstrap", "doctor"):
        assert command in out


def test_period_argument_is_validated() -> None:
    parser = build_parser()
    assert parser.parse_args(["evaluate", "--period", "2026-10"]).period == "2026-10"
    proc = subprocess.run(
        [*CITYPULSE, "evaluate", "--period", "2026-13"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "YYYY-MM" in proc.stderr


def test_doctor_passes_on_this_machine_and_is_machine_readable(tmp_path: Path) -> None:
    proc = _run(["doctor", "--json"], tmp_path / "home")
    checks = json.loads(proc.stdout)
    failed = [c for c in checks if not c["ok"]]
    assert proc.returncode == 0, failed
    names = {c["name"] for c in checks}
    assert {"data-home", "telemetry:DBT_SEND_ANONYMOUS_USAGE_STATS", "superset:apache-superset"} <= names


def test_doctor_notices_telemetry_switched_on(tmp_path: Path) -> None:
    proc = _run(["doctor", "--json"], tmp_path / "home", GX_ANALYTICS_ENABLED="True")
    assert proc.returncode == 1
    bad = {c["name"] for c in json.loads(proc.stdout) if not c["ok"]}
    assert bad == {"telemetry:GX_ANALYTICS_ENABLED"}
