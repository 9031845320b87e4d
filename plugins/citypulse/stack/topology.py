"""Start, stop and inspect the stack's processes: the same services as docker-compose.yml.

Every process is started through ``citypulse.services`` (own session; pid, command line and kernel
start time recorded under the stack's ``run/``), so ``down`` stops exactly what ``up`` started and
nothing else, and never a recycled pid (see citypulse.process_groups).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from citypulse import airflow_embedded, process_groups, services
from citypulse.errors import CityPulseError
from citypulse.stack import airflow_processes as airflow
from citypulse.stack import pg_databases as postgres
from citypulse.stack import superset_processes as superset
from citypulse.stack.stack_config import StackConfig

AIRFLOW_SERVICES: dict[str, list[str]] = {
    "airflow-api-server": ["api-server"],
    "airflow-scheduler": ["scheduler"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
    "airflow-worker": ["celery", "worker"],
}
SUPERSET_SERVICE = "superset"
SERVICE_NAMES: tuple[str, ...] = (*AIRFLOW_SERVICES, SUPERSET_SERVICE)
# What the API server's /api/v2/monitor/health must report healthy before the stack is "up".
HEALTH_COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")


def _say(message: str) -> None:
    print(f"[stack] {message}", flush=True)


def check_redis(cfg: StackConfig) -> None:
    import redis

    try:
        redis.Redis.from_url(cfg.broker_url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        raise CityPulseError(f"Redis at {cfg.broker_url} is not reachable: {exc}") from exc


def start_service(
    cfg: StackConfig, name: str, argv: list[str], env: dict[str, str], cwd: Path
) -> services.Service:
    """Start ``name`` through citypulse.services (stopping a previous instance of it first)."""
    return services.start(cfg.settings, name, argv, env, cwd=cwd)


def stop_service(cfg: StackConfig, name: str) -> bool:
    """Stop every process of the session ``up`` started under ``name``; True if any was running."""
    # 30 s: a Celery worker's warm shutdown lets running tasks finish before SIGKILL.
    return services.stop(cfg.settings, name, timeout=30.0)


def start_airflow_service(cfg: StackConfig, name: str, env: dict[str, str]) -> services.Service:
    argv = [airflow_embedded.airflow_bin(), *AIRFLOW_SERVICES[name]]
    if name == "airflow-api-server":
        argv += ["--host", "127.0.0.1", "--port", str(cfg.airflow_port)]
    if name == "airflow-worker":
        argv += ["--concurrency", str(cfg.worker_concurrency)]
    return start_service(cfg, name, argv, env, cfg.home)


def airflow_health(cfg: StackConfig) -> dict[str, str]:
    """Component → status from the API server's monitor endpoint (empty when it does not answer)."""
    try:
        with urllib.request.urlopen(f"{cfg.airflow_url}/api/v2/monitor/health", timeout=5) as resp:
            body = json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError):
        return {}
    return {k: str(v.get("status")) for k, v in body.items() if isinstance(v, dict)}


def celery_workers(cfg: StackConfig, timeout_s: float = 2.0) -> list[str]:
    """Names of the Celery workers answering a ping on the stack's broker."""
    from celery import Celery

    app = Celery(broker=cfg.broker_url)
    try:
        replies = app.control.ping(timeout=timeout_s) or []
    finally:
        app.close()
    return sorted(name for reply in replies for name in reply)


def _wait(what: str, ready: Callable[[], bool], timeout_s: float, watch: list[services.Service]) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for svc in watch:
            if not process_groups.is_running(svc.pid):
                tail = svc.log.read_text(errors="replace")[-3000:] if svc.log.exists() else ""
                raise CityPulseError(
                    f"{svc.name} exited while the stack was starting; last log lines:\n{tail}"
                )
        if ready():
            return
        time.sleep(2.0)
    raise CityPulseError(f"stack: {what} not ready within {timeout_s:.0f}s")


def up(cfg: StackConfig, with_superset: bool = True, timeout_s: float = 600.0) -> dict[str, str]:
    """Provision (idempotently) and start every service; return once all report healthy."""
    cfg.settings.ensure()
    _say(f"data home: {cfg.home}")
    check_redis(cfg)
    postgres.ensure_databases(cfg)
    _say(f"PostgreSQL databases ready: {cfg.database('airflow')}, {cfg.database('superset')}")
    env = airflow.airflow_env(cfg)
    airflow_embedded.init(cfg.settings, env, airflow.admin_password(cfg))
    _say("Airflow metadata migrated, pools set")
    try:
        urls = _start_and_wait(cfg, env, with_superset, timeout_s)
    except BaseException:
        # A half-started stack is worse than none: stop what this call started, then report.
        down(cfg)
        raise
    _say(
        f"up: {', '.join(f'{k} {v}' for k, v in urls.items())}; credentials in {cfg.settings.credentials_file}"
    )
    return urls


def _start_and_wait(
    cfg: StackConfig, env: dict[str, str], with_superset: bool, timeout_s: float
) -> dict[str, str]:
    started = [start_airflow_service(cfg, name, env) for name in AIRFLOW_SERVICES]
    if with_superset:
        # Bootstrapping Superset overlaps with Airflow's start-up: both are mostly waiting on imports.
        superset.bootstrap(cfg)
        _say("Superset metadata migrated, users and dashboards imported")
        started.append(
            start_service(
                cfg,
                SUPERSET_SERVICE,
                superset.gunicorn_argv(cfg),
                superset.env(cfg),
                cfg.settings.superset_home,
            )
        )
    _wait(
        "Airflow components",
        lambda: all(airflow_health(cfg).get(c) == "healthy" for c in HEALTH_COMPONENTS),
        timeout_s,
        started,
    )
    _wait("the Celery worker", lambda: bool(celery_workers(cfg)), timeout_s, started)
    urls = {"airflow": cfg.airflow_url}
    if with_superset:
        _wait("Superset", lambda: _answers(f"{cfg.superset_url}/health"), timeout_s, started)
        urls["superset"] = cfg.superset_url
    return urls


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return int(resp.status) == 200
    except (urllib.error.URLError, OSError):
        return False


def down(cfg: StackConfig) -> list[str]:
    """Stop the services ``up`` started (by recorded pid), workers and Superset first."""
    stopped = [name for name in reversed(SERVICE_NAMES) if stop_service(cfg, name)]
    for name in stopped:
        _say(f"stopped {name}")
    return stopped


def status(cfg: StackConfig) -> dict[str, Any]:
    """Which recorded processes are alive, and what the health endpoints say."""
    processes: dict[str, Any] = {}
    for name in SERVICE_NAMES:
        started = services.record(cfg.settings, name)
        processes[name] = (
            None
            if started is None
            else {"pid": started["pid"], "alive": services.is_alive(cfg.settings, name)}
        )
    health = airflow_health(cfg)
    try:
        workers = celery_workers(cfg) if processes.get("airflow-worker") else []
    except Exception:  # noqa: BLE001 - status must report, not fail, when the broker is down
        workers = []
    return {
        "home": str(cfg.home),
        "processes": processes,
        "airflow": {"url": cfg.airflow_url, "health": health},
        "celery_workers": workers,
        "superset": {"url": cfg.superset_url, "healthy": _answers(f"{cfg.superset_url}/health")},
    }
