"""The demo's Airflow path against the real embedded Airflow: services, held DAGs, trigger and wait.

The whole demo (six months of seven cities, two warehouse builds, six evaluations) takes minutes
more than a test may; this drives the same functions on the land DAG with a trimmed sample, and
the failure path on the evaluation DAG (a month evaluated before any warehouse exists).
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from citypulse import demo, services
from citypulse.airflow_rest import AirflowAPI, AirflowRunFailed
from citypulse.evaluation.period import scheduled_logical_date
from citypulse.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fresh_checkout(tmp_path: Path) -> Path:
    """The repository as a fresh clone has it: every file, but no dbt manifest (nothing parsed yet)."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for entry in REPO_ROOT.iterdir():
        if entry.name != "dbt_project":
            (checkout / entry.name).symlink_to(entry)
    generated = shutil.ignore_patterns("target", "logs", "dbt_packages", "data")
    shutil.copytree(REPO_ROOT / "dbt_project", checkout / "dbt_project", ignore=generated)
    return checkout


@pytest.fixture
def airflow(
    home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Settings, AirflowAPI]]:
    # The demo starts from a fresh clone: the warehouse DAG's manifest is made on the way.
    monkeypatch.setenv("CITYPULSE_REPO", str(_fresh_checkout(tmp_path)))
    settings = Settings.from_env().ensure()
    assert settings.home == home.home
    # Ports of its own, so a demo running on this machine is neither disturbed nor reached.
    monkeypatch.setenv("CITYPULSE_AIRFLOW_PORT", str(_free_port()))
    monkeypatch.setenv("AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT", str(_free_port()))
    monkeypatch.setenv("AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT", str(_free_port()))
    monkeypatch.setenv("AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT", str(_free_port()))
    try:
        yield settings, demo.start_airflow(settings)
    finally:
        services.stop_all(settings)


def _trimmed_sample(settings: Settings) -> int:
    from citypulse.sample.generator import generate

    generate(settings.inbox, cities=1, months=1, seed=7)
    for platform in settings.inbox.iterdir():  # a few folders per platform keep the run short
        for extra in sorted(platform.iterdir())[2:]:
            shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
    return sum(1 for p in settings.inbox.rglob("*") if p.is_file() and p.name != "_manifest.yaml")


def test_the_demo_lands_through_airflow_and_leaves_every_dag_active(
    airflow: tuple[Settings, AirflowAPI],
) -> None:
    settings, api = airflow
    # every service of the embedded deployment runs, the triggerer among them
    assert all(services.is_alive(settings, name) for name in demo.AIRFLOW_SERVICES)
    assert "airflow-triggerer" in demo.AIRFLOW_SERVICES

    assert (settings.dbt_project / "target" / "manifest.json").is_file()
    # created unpaused by the deployment's config; the demo holds the two it drives
    dags = {d: api.dag(d) for d in (demo.LAND, *demo.HELD)}
    assert dags[demo.LAND] is not None and dags[demo.LAND]["is_paused"] is False
    assert all(dags[d] is not None and dags[d]["is_paused"] is True for d in demo.HELD)

    files = _trimmed_sample(settings)
    run_id = demo.run_dag(api, demo.LAND, "landing")
    run = api.run(demo.LAND, run_id)
    assert run["state"] == "success" and run["run_type"] == "manual"
    # the trigger landed the inbox (or the schedule's own run did, one after the other)
    ledger = pl.read_parquet(sorted(settings.ingests.glob("*.parquet")))
    assert ledger.filter(~pl.col("original_name").str.contains("!", literal=True)).height == files
    assert (ledger["status"] == "landed").sum() > 0
    tasks = {t["task_id"]: t["state"] for t in api.task_instances(demo.LAND, run_id)}
    assert tasks["discover"] == "success" and tasks["validate"] == "success"

    # a failed run raises with the failed task and the last lines of its log: here a month
    # evaluated before any warehouse was published. May's run sits at the schedule's first
    # catch-up tick (2026-06-08 03:00): releasing the DAG finds it and creates no second run there.
    period = "2026-05"
    at = scheduled_logical_date(period)
    failing, how = api.ensure_run(demo.MONTHLY, at)
    assert how == "triggered"
    assert api.ensure_run(demo.MONTHLY, at) == (failing, "reused")
    api.set_paused(demo.MONTHLY, False)
    with pytest.raises(AirflowRunFailed) as failed:
        api.wait(demo.MONTHLY, failing, timeout=300)
    message = str(failed.value)
    assert "--- task evaluate: failed" in message
    assert "no published warehouse" in message, message
    assert api.xcom(demo.MONTHLY, failing, "period_to_evaluate") == period
    assert api.run_at(demo.MONTHLY, at)["dag_run_id"] == failing  # type: ignore[index]
    # asked for again, a failed month is cleared and runs again under the same run id
    assert api.ensure_run(demo.MONTHLY, at) == (failing, "cleared")
    assert api.run(demo.MONTHLY, failing)["state"] in {"queued", "running"}

    api.set_paused(demo.WAREHOUSE, False)
    assert all(api.dag(d)["is_paused"] is False for d in (demo.LAND, *demo.HELD))  # type: ignore[index]
