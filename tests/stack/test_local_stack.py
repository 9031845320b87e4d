"""`make stack`: the production services as local processes on this machine's PostgreSQL and Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from citypulse import credentials, services
from citypulse.process_groups import is_running, start_time
from citypulse.settings import Settings
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
    with_child = ["bash", "-c", f"{sys.executable} -c 'import time; time.sleep(120)' & wait"]
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

        stopped = down(cfg)
        assert sorted(stopped) == ["airflow-api-server", "airflow-worker"]
        time.sleep(0.3)
        assert not any(is_running(pid) for pid in group), "every process of the stopped group is gone"
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
        # A manifest whose pid now belongs to another process (different start time) is left alone.
        run = services.run_dir(cfg.settings)
        recorded = {"pid": bystander.pid, "start_time": (start_time(bystander.pid) or 0) - 1}
        (run / "stack.json").write_text(json.dumps({"airflow-worker": recorded}))
        assert down(cfg) == []
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_up_refuses_clearly_when_redis_is_unreachable(tmp_path: Path) -> None:
    from citypulse.errors import CityPulseError

    cfg = StackConfig(settings=Settings.from_env(tmp_path / "h"), redis_url="redis://127.0.0.1:1")
    with pytest.raises(CityPulseError, match="Redis at redis://127.0.0.1:1/8 is not reachable"):
        up(cfg)
    assert not (services.run_dir(cfg.settings) / "stack.json").exists()


def _pgid(pid: int) -> int:
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[2])
