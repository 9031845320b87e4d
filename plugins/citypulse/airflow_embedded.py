"""The embedded Airflow of ``make demo`` and of the tests: SQLite metadata under the data home.

The committed environment (config/citypulse.env) sets AIRFLOW_HOME, the DAG folder and the
executor; this module adds the per-home secrets (JWT, Fernet, API secret) that every Airflow
process of one deployment must share, and the admin login of the simple auth manager.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from citypulse import credentials
from citypulse.environment import process_env
from citypulse.settings import Settings
from citypulse.warehouse.manifest import ensure_manifest

POOLS = {
    "duckdb_writer": (1, "DuckDB allows one writer: every task that writes a DuckDB file takes this slot")
}
ADMIN = "admin"


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def airflow_env(settings: Settings, port: int | None = None) -> dict[str, str]:
    secrets_ = credentials.section(
        settings, "airflow", {"jwt_secret": 32, "api_secret_key": 32, "admin_password": 12}
    )
    port = port or int(os.environ.get("CITYPULSE_AIRFLOW_PORT", "8080"))
    passwords_file = settings.airflow_home / "simple_auth_manager_passwords.json"
    return process_env(
        settings,
        AIRFLOW__API_AUTH__JWT_SECRET=secrets_["jwt_secret"],
        AIRFLOW__API__SECRET_KEY=secrets_["api_secret_key"],
        AIRFLOW__CORE__FERNET_KEY=_fernet(settings),
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=f"{ADMIN}:admin",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords_file),
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__BASE_URL=f"http://localhost:{port}",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://localhost:{port}/execution/",
    )


def _fernet(settings: Settings) -> str:
    stored = credentials.load(settings).get("airflow", {}).get("fernet_key")
    if stored:
        return str(stored)
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    credentials.update(settings, "airflow", {"fernet_key": key})
    return key


def prepare(settings: Settings) -> dict[str, str]:
    """:func:`init` for the embedded Airflow of this data home. Returns the env."""
    env = airflow_env(settings)
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    init(settings, env, credentials.load(settings)["airflow"]["admin_password"])
    return env


def init(settings: Settings, env: dict[str, str], password: str) -> None:
    """Write the admin login, migrate the metadata DB, create the pools and bring the dbt manifest
    up to date (the warehouse DAG renders from it and fails to load without it); idempotent."""
    passwords_file = Path(env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"])
    passwords_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(passwords_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump({ADMIN: password}, fh)
    run(settings, ["db", "migrate"], env=env)
    for pool, (slots, description) in POOLS.items():
        run(settings, ["pools", "set", pool, str(slots), description], env=env)
    ensure_manifest(settings)


def run(
    settings: Settings, args: list[str], env: dict[str, str] | None = None, timeout: int = 900
) -> subprocess.CompletedProcess[str]:
    """Run the airflow CLI; raise with its output when it fails."""
    proc = subprocess.run(
        [airflow_bin(), *args],
        env=env or airflow_env(settings),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=settings.home,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"airflow {' '.join(args)} failed ({proc.returncode}):\n"
            f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
        )
    return proc
