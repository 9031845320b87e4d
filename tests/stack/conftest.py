"""One real stack per test session (PostgreSQL + Redis of this machine, Airflow with Celery, Superset),
isolated from anything else on the machine: its own data home, databases with a unique prefix, its
own Redis DB numbers and free ports. Torn down (processes, databases, Redis DBs) at the end."""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from citypulse.settings import Settings
from citypulse.stack import StackConfig, down, up
from citypulse.stack import pg_databases as postgres

STACK_REDIS_DB = 14  # broker; Superset's cache uses 15


def _free_port() -> int:
    """A free port below the kernel's ephemeral range: the stack binds its ports minutes after they
    are chosen, and no ``bind(0)`` elsewhere in the run (the other xdist worker's Superset, Airflow
    or browser) can be handed one of them meanwhile."""
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in random.Random().sample(range(ephemeral_low - 8000, ephemeral_low), 500):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def _machine_services_reachable() -> str | None:
    for port, what in ((5432, "PostgreSQL"), (6379, "Redis")):
        with socket.socket() as sock:
            sock.settimeout(2)
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return f"{what} is not running on 127.0.0.1:{port}"
    return None


@pytest.fixture(scope="session")
def stack_config(tmp_path_factory: pytest.TempPathFactory) -> StackConfig:
    missing = _machine_services_reachable()
    if missing:
        pytest.skip(f"the local-process stack needs this machine's PostgreSQL and Redis: {missing}")
    # CITYPULSE_STACK_TEST_HOME keeps the stack's data home and logs after the session (pytest
    # rotates its temporary folders, and a failed system test is diagnosed from the task logs).
    kept = os.environ.get("CITYPULSE_STACK_TEST_HOME")
    home = Path(kept) if kept else Path(tmp_path_factory.mktemp("stack")) / "home"
    return StackConfig(
        settings=Settings.from_env(home),
        db_prefix=f"cptest_{uuid.uuid4().hex[:8]}",
        redis_db=STACK_REDIS_DB,
        airflow_port=_free_port(),
        superset_port=_free_port(),
        scheduler_health_port=_free_port(),
        worker_log_port=_free_port(),
        triggerer_log_port=_free_port(),
        worker_concurrency=4,
        # A killed worker's task is noticed after this long (production default: 300 s).
        heartbeat_timeout_s=45,
        # The inbox is polled every 3 minutes (production: 15) so a second drop flows through soon.
        land_schedule="*/3 * * * *",
        # The system test unpauses each DAG when its stage begins (an active monthly DAG would
        # catch up on months before any data has landed).
        dags_paused_at_creation=True,
    )


def _flush_redis(cfg: StackConfig) -> None:
    import redis

    for db in (cfg.redis_db, cfg.redis_db + 1):
        redis.Redis.from_url(f"{cfg.redis_url}/{db}").flushdb()


@pytest.fixture(scope="session")
def running_stack(stack_config: StackConfig) -> Iterator[StackConfig]:
    _flush_redis(stack_config)
    try:
        up(stack_config, timeout_s=600)
        yield stack_config
    finally:
        down(stack_config)
        postgres.drop_databases(stack_config)
        _flush_redis(stack_config)
