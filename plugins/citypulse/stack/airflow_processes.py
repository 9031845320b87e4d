"""Airflow of the stack: the embedded deployment's secrets, on PostgreSQL with Celery on Redis.

Provisioning is ``airflow_embedded.init``, shared by every topology: ``make stack`` calls it with
the environment built here, and the compose service ``airflow-init`` runs
``python -m citypulse.stack init`` with the environment compose gives it (secrets from .env).
"""

from __future__ import annotations

import os
from pathlib import Path

from citypulse import airflow_embedded, credentials
from citypulse.settings import Settings
from citypulse.stack import pg_databases as postgres
from citypulse.stack.stack_config import StackConfig


def airflow_env(cfg: StackConfig) -> dict[str, str]:
    """Environment of every Airflow process of the stack (all of them must share it)."""
    passwords = postgres.passwords(cfg)
    env = airflow_embedded.airflow_env(cfg.settings, port=cfg.airflow_port)
    env.update(
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgres.url(cfg, "airflow", passwords["airflow"]),
        AIRFLOW__CELERY__BROKER_URL=cfg.broker_url,
        AIRFLOW__CELERY__RESULT_BACKEND=postgres.url(
            cfg, "airflow", passwords["airflow"], "db+postgresql+psycopg2"
        ),
        AIRFLOW__CELERY__WORKER_CONCURRENCY=str(cfg.worker_concurrency),
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__BASE_URL=cfg.airflow_url,
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{cfg.airflow_url}/execution/",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=str(cfg.dags_paused_at_creation),
        AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST="127.0.0.1",
        AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT=str(cfg.scheduler_health_port),
        AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=str(cfg.heartbeat_timeout_s),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(cfg.worker_log_port),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(cfg.triggerer_log_port),
        # Airflow imports every .py under its plugins folder as a top-level module (registered in
        # sys.modules under the file's stem), so pointing it at plugins/ would load our package's
        # modules as "numbers", "cli", ... and shadow real ones. citypulse is pip-installed, and it
        # declares no AirflowPlugin: an empty folder of the stack's own is the safe choice.
        AIRFLOW__CORE__PLUGINS_FOLDER=str(plugins_folder(cfg)),
        PYTHONUNBUFFERED="1",
    )
    if cfg.land_schedule:
        # Read by dags/citypulse_land.py when the dag-processor parses it.
        env["CITYPULSE_LAND_SCHEDULE"] = cfg.land_schedule
    return env


def plugins_folder(cfg: StackConfig) -> Path:
    folder = cfg.settings.airflow_home / "plugins"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def admin_password(cfg: StackConfig) -> str:
    return credentials.section(cfg.settings, "airflow", {"admin_password": 12})["admin_password"]


def init_from_environment() -> None:
    """The compose ``airflow-init`` service: everything comes from the container's environment."""
    password = os.environ.get("AIRFLOW_ADMIN_PASSWORD", "")
    if len(password) < 12:
        raise SystemExit("airflow-init: AIRFLOW_ADMIN_PASSWORD must be set (12+ characters) in .env")
    settings = Settings.from_env().ensure()
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    airflow_embedded.init(settings, dict(os.environ), password)
