"""Where the stack lives and what it connects to, from the environment (defaults fit this machine)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from citypulse.settings import Settings


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class StackConfig:
    """One deployment of the stack: its data home, its databases, its Redis DB and its ports.

    The ports differ from the embedded demo's (8080/8088/8974/8793/8794) so both can run at once.
    """

    settings: Settings
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_superuser: str = "postgres"
    db_prefix: str = "citypulse"
    redis_url: str = "redis://127.0.0.1:6379"
    redis_db: int = 8
    airflow_port: int = 8180
    superset_port: int = 8188
    scheduler_health_port: int = 8984
    worker_log_port: int = 8893
    triggerer_log_port: int = 8894
    worker_concurrency: int = 4
    heartbeat_timeout_s: int = 300
    # Cron of citypulse_land's inbox polling; empty keeps the DAG's own (every 15 minutes).
    land_schedule: str = ""
    # New DAGs start active, as in every deployment; a standby or restored deployment on the same
    # data home (or a test that drives each DAG itself) starts them paused instead.
    dags_paused_at_creation: bool = False

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None) -> StackConfig:
        """CITYPULSE_STACK_* variables; the data home defaults to ``$CITYPULSE_HOME/stack``."""
        if home is None:
            home = os.environ.get("CITYPULSE_STACK_HOME") or Settings.from_env().home / "stack"
        return cls(
            settings=Settings.from_env(home),
            pg_host=os.environ.get("CITYPULSE_STACK_PG_HOST", cls.pg_host),
            pg_port=_int("CITYPULSE_STACK_PG_PORT", cls.pg_port),
            pg_superuser=os.environ.get("CITYPULSE_STACK_PG_SUPERUSER", cls.pg_superuser),
            db_prefix=os.environ.get("CITYPULSE_STACK_DB_PREFIX", cls.db_prefix),
            redis_url=os.environ.get("CITYPULSE_STACK_REDIS_URL", cls.redis_url).rstrip("/"),
            redis_db=_int("CITYPULSE_STACK_REDIS_DB", cls.redis_db),
            airflow_port=_int("CITYPULSE_STACK_AIRFLOW_PORT", cls.airflow_port),
            superset_port=_int("CITYPULSE_STACK_SUPERSET_PORT", cls.superset_port),
            scheduler_health_port=_int("CITYPULSE_STACK_SCHEDULER_HEALTH_PORT", cls.scheduler_health_port),
            worker_log_port=_int("CITYPULSE_STACK_WORKER_LOG_PORT", cls.worker_log_port),
            triggerer_log_port=_int("CITYPULSE_STACK_TRIGGERER_LOG_PORT", cls.triggerer_log_port),
            worker_concurrency=_int("CITYPULSE_STACK_WORKER_CONCURRENCY", cls.worker_concurrency),
            heartbeat_timeout_s=_int("CITYPULSE_STACK_HEARTBEAT_TIMEOUT", cls.heartbeat_timeout_s),
            land_schedule=os.environ.get("CITYPULSE_STACK_LAND_SCHEDULE", cls.land_schedule),
            dags_paused_at_creation=os.environ.get("CITYPULSE_STACK_DAGS_PAUSED_AT_CREATION", "").lower()
            in {"1", "true", "yes"},
        )

    @property
    def home(self) -> Path:
        return self.settings.home

    def database(self, app: str) -> str:
        """Database name and owner role of ``app`` (airflow | superset)."""
        return f"{self.db_prefix}_{app}"

    @property
    def broker_url(self) -> str:
        return f"{self.redis_url}/{self.redis_db}"

    @property
    def cache_url(self) -> str:
        # Superset's cache sits in the next DB number so flushing one never touches the other.
        return f"{self.redis_url}/{self.redis_db + 1}"

    @property
    def airflow_url(self) -> str:
        return f"http://127.0.0.1:{self.airflow_port}"

    @property
    def superset_url(self) -> str:
        return f"http://127.0.0.1:{self.superset_port}"
