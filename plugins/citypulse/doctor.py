"""``citypulse doctor``: is this machine ready to run CityPulse, and is it quiet?

Checks both virtual environments and their pinned versions, that the data home is writable,
and that telemetry is off in every place it can be switched on (dbt, Cosmos, GX, Airflow,
Superset). Each check says what to do when it fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from citypulse.environment import committed_env
from citypulse.settings import Settings

TELEMETRY_OFF = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "GX_ANALYTICS_ENABLED": "False",
    "SCARF_ANALYTICS": "false",
    "DO_NOT_TRACK": "1",
}
PIPELINE_PACKAGES = (
    "apache-airflow",
    "dbt-core",
    "dbt-duckdb",
    "astronomer-cosmos",
    "great-expectations",
    "polars",
    "duckdb",
    "fastexcel",
)


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def _pins(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.strip().split("==", 1)
            pins[name.lower().replace("_", "-")] = version
    return pins


def _pipeline_checks(settings: Settings) -> list[Check]:
    pins = _pins(settings.repo / "requirements" / "pipeline.txt")
    checks = [Check("python", sys.version_info[:2] == (3, 11), sys.version.split()[0])]
    for package in PIPELINE_PACKAGES:
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            checks.append(Check(f"pipeline:{package}", False, "not installed — run `make venv`"))
            continue
        want = pins.get(package)
        checks.append(
            Check(
                f"pipeline:{package}",
                installed == want,
                installed if installed == want else f"{installed}, pinned {want} — run `make venv`",
            )
        )
    return checks


def _superset_checks(settings: Settings) -> list[Check]:
    py = settings.repo / ".venv-superset" / "bin" / "python"
    if not py.exists():
        return [Check("superset-env", False, f"{py} missing — run `make venv-superset`")]
    pins = _pins(settings.repo / "requirements" / "superset.txt")
    probe = (
        "import json, importlib.metadata as m; "
        "print(json.dumps({p: m.version(p) for p in ('apache-superset', 'duckdb', 'duckdb-engine')}))"
    )
    out = subprocess.run([str(py), "-c", probe], capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        return [Check("superset-env", False, out.stderr.strip()[-300:])]
    found = json.loads(out.stdout)
    return [
        Check(f"superset:{p}", v == pins.get(p), v if v == pins.get(p) else f"{v}, pinned {pins.get(p)}")
        for p, v in found.items()
    ]


def _home_check(settings: Settings) -> Check:
    try:
        settings.home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=settings.home):
            pass
    except OSError as exc:
        return Check("data-home", False, f"{settings.home} not writable: {exc}")
    return Check("data-home", True, str(settings.home))


def _telemetry_checks(settings: Settings) -> list[Check]:
    env = committed_env(settings)
    checks = []
    for key, off in TELEMETRY_OFF.items():
        committed = env.get(key)
        live = os.environ.get(key, committed)
        ok = committed == off and live == off
        checks.append(Check(f"telemetry:{key}", ok, f"committed={committed} live={live}"))
    dbt_cfg = (settings.dbt_project / "dbt_project.yml").read_text()
    checks.append(
        Check(
            "telemetry:dbt_project flags",
            "send_anonymous_usage_stats: false" in dbt_cfg,
            "dbt_project.yml flags.send_anonymous_usage_stats",
        )
    )
    superset_cfg = settings.repo / "superset" / "superset_config.py"
    if superset_cfg.exists():
        text = superset_cfg.read_text()
        checks.append(
            Check(
                "telemetry:superset",
                "SCARF_ANALYTICS = False" in text,
                "superset_config.py sets SCARF_ANALYTICS = False",
            )
        )
    return checks


def _ledger_checks(settings: Settings, deep: bool) -> list[Check]:
    """The lake and raw/ against the ledger (citypulse.lake.integrity), recorded for the
    dashboard too; nothing to check before anything landed."""
    from citypulse.lake.integrity import audit, record, summarise

    if not settings.ingests.is_dir():
        return []
    found = summarise(audit(settings, deep), deep)
    checks = [Check(c.name, c.ok, c.detail) for c in found]
    try:
        record(settings, found, deep)
    except OSError as exc:
        checks.append(Check("ledger:recorded for the dashboard", False, f"could not be written: {exc}"))
    return checks


def collect(settings: Settings, deep: bool = False) -> list[Check]:
    return [
        *_pipeline_checks(settings),
        *_superset_checks(settings),
        _home_check(settings),
        *_telemetry_checks(settings),
        *_ledger_checks(settings, deep),
    ]


def run_checks(settings: Settings, as_json: bool = False, deep: bool = False) -> int:
    checks = collect(settings, deep)
    if as_json:
        print(json.dumps([asdict(c) for c in checks], ensure_ascii=False))
    else:
        for c in checks:
            print(f"{'ok ' if c.ok else 'BAD'}  {c.name:<45} {c.detail}")
    return 0 if all(c.ok for c in checks) else 1
