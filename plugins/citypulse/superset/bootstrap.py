"""``citypulse superset-bootstrap``: everything Superset shows is configured from this repository.

Steps, each idempotent: migrate the metadata database (``superset db upgrade``); then, in one Superset
app (``provision.py``), create/refresh the admin (generated password), what ``superset init`` does
(built-in roles), import the dashboards-as-code bundle (overwrite by UUID), and the Analyst and Viewer
roles and users. Secrets are generated once and kept 0600 under the data home.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from citypulse.errors import CityPulseError
from citypulse.progress import step
from citypulse.settings import Settings
from citypulse.superset.bundle import load_assets, render_bundle
from citypulse.superset.credentials import superset_credentials
from citypulse.superset.runtime import assets_dir, superset_bin, superset_env, superset_python

PROVISION_SCRIPT = Path(__file__).with_name("provision.py")


def warehouse_database_uuid(settings: Settings) -> str:
    databases = load_assets(assets_dir(settings))["databases"]
    if len(databases) != 1:
        raise CityPulseError(
            f"{assets_dir(settings)}/databases: expected exactly one database, found {len(databases)}"
        )
    return next(iter(databases))


def _run(label: str, argv: Sequence[str], env: dict[str, str], cwd: Path) -> None:
    step(label)
    done = subprocess.run(list(argv), env=env, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-25:])
        raise CityPulseError(f"superset bootstrap: {label} failed (exit {done.returncode}):\n{tail}")


def bootstrap(settings: Settings) -> int:
    """Configure Superset for this data home; returns the exit code (0, or raises CityPulseError)."""
    settings.superset_home.mkdir(parents=True, exist_ok=True)
    credentials = superset_credentials(settings)
    env = superset_env(
        settings,
        **{
            f"CITYPULSE_SUPERSET_{user.upper()}_PASSWORD": credentials[f"{user}_password"]
            for user in ("admin", "analyst", "viewer")
        },
    )
    superset = str(superset_bin(settings))
    python = str(superset_python(settings))
    cwd = settings.superset_home

    # a process of its own: the app that provisions must start on an already migrated metadata database
    _run("superset db upgrade", [superset, "db", "upgrade"], env, cwd)
    with tempfile.TemporaryDirectory(dir=settings.superset_home, prefix="bundle-") as tmp:
        bundle = render_bundle(
            assets_dir(settings),
            Path(tmp) / "citypulse_assets.zip",
            {"CITYPULSE_SERVING_DB": env["CITYPULSE_SERVING_DB"]},
        )
        _run(
            "superset: admin, roles, dashboards as code, Analyst and Viewer",
            [python, str(PROVISION_SCRIPT), str(bundle), warehouse_database_uuid(settings)],
            env,
            cwd,
        )
    return 0
