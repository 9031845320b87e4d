"""`make stack`: the production services as local processes on this machine's PostgreSQL and Redis."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from citypulse import credentials, services
from citypulse.process_groups import is_running, start_time
from citypulse.settings import REPO_ROOT, Settings
from citypulse.stack import SERVICE_NAMES, StackConfig, status, up
from citypulse.stack import pg_databases as postgres
from citypulse.stack.topology import celery_workers, down, start_service

pytestmark = pytest.mark.slow


def test_stack_runs_every_service_on_postgres_redis_and_celery(running_stack: StackConfig) -> None:
    cfg = running_stack
    report = status(cfg)
    assert set(report["processes"]) == set(SERVICE_NAMES)
    assert all(p is not None and p["alive"] for p in report["processes"].values()), report["processes"]
    health = report["airflow"]["health"]
    assert {health[c] for c in ("metadatabase", "scheduler", "triggerer", "dag_processor")} == {"healthy"}
    assert report["celery_workers"], "the Celery worker must answer on the stack's Redis DB"
    assert report["superset"]["healthy"]
    assert postgres.existing(cfg) == {"airflow": True, "superset": True}

    # Airflow really runs on PostgreSQL with Celery on the stack's Redis DB.
    record = json.loads((services.run_dir(cfg.settings) / "airflow-worker.json").read_text())
    assert record["argv"][-4:-2] == ["celery", "worker"]
    logs = cfg.home / "logs"
    assert "Loaded executor: :CeleryExecutor:" in (logs / "airflow-scheduler.log").read_text()
    assert f"127.0.0.1:6379/{cfg.redis_db}" in (logs / "airflow-worker.log").read_text()
    import psycopg2

    with (
        psycopg2.connect(
            host=cfg.pg_host, port=cfg.pg_port, user=cfg.pg_superuser, dbname=cfg.database("airflow")
        ) as con,
        con.cursor() as cur,
    ):
        cur.execute("select slots from slot_pool where pool = 'duckdb_writer'")
        assert cur.fetchall() == [(1,)]
        cur.execute("select count(*) from dag where dag_id like 'citypulse_%'")
        assert cur.fetchone()[0] >= 1, "the dag-processor serialised our DAGs into PostgreSQL"

    # Superset serves from its PostgreSQL metadata: the generated admin can log in via the API.
    password = credentials.load(cfg.settings)["superset"]["admin_password"]
    login = urllib.request.Request(
        f"{cfg.superset_url}/api/v1/security/login",
        data=json.dumps({"username": "admin", "password": password, "provider": "db"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(login, timeout=30) as resp:
        assert json.loads(resp.read())["access_token"]

    # Secrets are generated, private and never defaults.
    assert (cfg.settings.credentials_file.stat().st_mode & 0o777) == 0o600
    stack_secrets = credentials.load(cfg.settings)["stack"]
    assert (
        len(stack_secrets["airflow_db_password"]) >= 24 and len(stack_secrets["superset_db_password"]) >= 24
    )


def test_provisioning_is_idempotent(running_stack: StackConfig) -> None:
    """Running the provisioning again (as `make stack` does on every start) keeps the same state."""
    before = credentials.load(running_stack.settings)["stack"]
    urls = postgres.ensure_databases(running_stack)
    assert credentials.load(running_stack.settings)["stack"] == before
    assert set(urls) == {"airflow", "superset"} and postgres.existing(running_stack) == {
        "airflow": True,
        "superset": True,
    }
    assert celery_workers(running_stack)


def test_stack_down_stops_its_process_groups_and_nothing_else(tmp_path: Path, home: Settings) -> None:
    """`down` kills whole groups it started (children too), leaves a same-named service of another
    home and an unrelated process alone, and does not kill a recycled pid."""
    cfg = StackConfig(settings=Settings.from_env(tmp_path / "stack-home"))
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    # The second child leaves the group, as Airflow's task supervisor moves each task runner.
    own_group = "import os, time; os.setpgid(0, 0); time.sleep(120)"
    with_child = [
        "bash",
        "-c",
        f"{sys.executable} -c 'import time; time.sleep(120)' & {sys.executable} -c '{own_group}' & wait",
    ]
    ours = start_service(cfg, "airflow-worker", with_child, env={}, cwd=tmp_path)
    ours_api = start_service(cfg, "airflow-api-server", sleeper, env={}, cwd=tmp_path)
    other_home = services.start(home, "airflow-worker", sleeper, env={})  # e.g. the embedded demo's
    unrelated = subprocess.Popen(sleeper, start_new_session=True)
    try:
        time.sleep(0.5)
        group = [
            int(p.name)
            for p in Path("/proc").iterdir()
            if p.name.isdigit() and is_running(int(p.name)) and _pgid(int(p.name)) == ours.pid
        ]
        assert len(group) >= 2, "the worker service should have a child in its group"
        session = _session_members(ours.pid)
        assert len(session) > len(group), "one child of the worker service runs in a group of its own"

        stopped = down(cfg)
        assert sorted(stopped) == ["airflow-api-server", "airflow-worker"]
        time.sleep(0.3)
        assert not any(is_running(pid) for pid in session), "every process of the stopped service is gone"
        assert not is_running(ours_api.pid)
        assert is_running(other_home.pid), "a same-named service of another data home must survive"
        assert unrelated.poll() is None, "an unrelated process must survive"
        assert down(cfg) == [], "a second down has nothing to stop"
    finally:
        services.stop(home, "airflow-worker")
        unrelated.kill()
        unrelated.wait()


def test_down_never_signals_a_recycled_pid(tmp_path: Path) -> None:
    cfg = StackConfig(settings=Settings.from_env(tmp_path / "stack-home"))
    bystander = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True
    )
    try:
        # A record whose pid now belongs to another process (different start time) is left alone.
        run = services.run_dir(cfg.settings)
        recorded = {
            "pid": bystander.pid,
            "argv": ["celery"],
            "start_time": (start_time(bystander.pid) or 0) - 1,
        }
        (run / "airflow-worker.json").write_text(json.dumps(recorded))
        assert status(cfg)["processes"]["airflow-worker"] == {"pid": bystander.pid, "alive": False}
        assert down(cfg) == []
        assert bystander.poll() is None
        assert not (run / "airflow-worker.json").exists(), "down forgets the stale record"
    finally:
        bystander.kill()
        bystander.wait()


def test_up_refuses_clearly_when_redis_is_unreachable(tmp_path: Path) -> None:
    from citypulse.errors import CityPulseError

    cfg = StackConfig(settings=Settings.from_env(tmp_path / "h"), redis_url="redis://127.0.0.1:1")
    with pytest.raises(CityPulseError, match="Redis at redis://127.0.0.1:1/8 is not reachable"):
        up(cfg)
    assert not list(services.run_dir(cfg.settings).glob("*.json")), "nothing was started"


def _pgid(pid: int) -> int:
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[2])


def _session_members(sid: int) -> list[int]:
    found = []
    for p in Path("/proc").iterdir():
        try:
            fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if p.name.isdigit() and fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(p.name))
    return found


def _land_dag_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, REPO_ROOT / "dags" / "citypulse_land.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_stack_sets_how_often_the_inbox_is_polled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citypulse.stack.airflow_processes import airflow_env

    monkeypatch.delenv("CITYPULSE_LAND_SCHEDULE", raising=False)
    cfg = StackConfig(settings=Settings.from_env(tmp_path / "h"), land_schedule="*/3 * * * *")
    assert airflow_env(cfg)["CITYPULSE_LAND_SCHEDULE"] == "*/3 * * * *"
    default = StackConfig(settings=Settings.from_env(tmp_path / "h"))
    assert "CITYPULSE_LAND_SCHEDULE" not in airflow_env(default)

    assert _land_dag_module("land_default").SCHEDULE == "*/15 * * * *"
    monkeypatch.setenv("CITYPULSE_LAND_SCHEDULE", "*/3 * * * *")
    assert _land_dag_module("land_every_3").SCHEDULE == "*/3 * * * *"
