"""`notify_failure` as a real Airflow 3 on_failure_callback: a failing task notifies the webhook."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from citypulse.environment import process_env
from citypulse.settings import Settings
from tests.notify.local_servers import http_endpoint

pytestmark = pytest.mark.slow

PROBE_DAG = """
import pendulum
from airflow.sdk import dag, task
from citypulse.notify import notify_failure


@dag(dag_id="notify_probe", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
     default_args={"on_failure_callback": notify_failure, "retries": 0})
def notify_probe():
    @task
    def land_file():
        raise ValueError("douyin_creator_works: row 17, column 播放量: '12,3万' is not a number")

    land_file()


notify_probe()
"""


def test_a_failed_task_notifies_through_the_callback(home: Settings, tmp_path: Path) -> None:
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "notify_probe.py").write_text(PROBE_DAG, encoding="utf-8")
    plugins = tmp_path / "empty-plugins"  # see citypulse.stack.airflow_processes.airflow_env
    plugins.mkdir()
    airflow = str(Path(sys.executable).with_name("airflow"))
    with http_endpoint() as hook:
        env = process_env(
            home,
            AIRFLOW__CORE__DAGS_FOLDER=str(dags),
            AIRFLOW__CORE__PLUGINS_FOLDER=str(plugins),
            CITYPULSE_NOTIFY_WEBHOOK_URL=hook.url("/hooks/citypulse"),
        )
        migrated = subprocess.run(
            [airflow, "db", "migrate"], env=env, capture_output=True, text=True, timeout=600
        )
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        subprocess.run(
            [airflow, "dags", "test", "notify_probe"], env=env, capture_output=True, text=True, timeout=600
        )
    events = [r.body for r in hook.received]
    assert [e["event"] for e in events] == ["task_failed"], events
    (event,) = events
    assert event["title"] == "任务失败 Task failed: notify_probe.land_file"
    assert event["facts"]["DAG"] == "notify_probe" and event["facts"]["尝试 try"] == "1"
    assert event["facts"]["运行 run"].startswith("manual__")
    assert (
        event["detail"] == "ValueError: douyin_creator_works: row 17, column 播放量: '12,3万' is not a number"
    )
