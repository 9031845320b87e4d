"""The whole chain through the production topology (`make stack`): real scheduler, real Celery worker.

sample exports → inbox → citypulse_land (triggered through the REST API) → lake asset →
citypulse_warehouse (asset-scheduled) → citypulse_monthly_evaluation (backfilled through the REST
API for November's run, which evaluates October) → evaluations asset → citypulse_warehouse again
(asset-scheduled: it republishes the eval_* marts) → Superset's API shows the month's ranking.
Then a second drop of exports flows through on its own (the land schedule and the lake asset), and
a Celery worker killed in the middle of a task is replaced, the task retried, and the run still
succeeds without duplicating a single row.

Needs this machine's PostgreSQL and Redis; budget: the CITYPULSE_SYSTEM_TIMEOUT seconds per stage.
Measured 2026-11-22 on the shared 2-core machine: 34 min, most of it the three citypulse_warehouse
runs (7-10 min each: 63 Cosmos tasks in ExecutionMode.LOCAL, one dbt process of ~8 s per task).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from citypulse import credentials, process_groups, services
from citypulse.process_groups import is_running
from citypulse.sample.registry import SEEDS_DIR
from citypulse.stack import StackConfig
from citypulse.stack import airflow_processes as stack_airflow
from citypulse.stack.topology import celery_workers, start_airflow_service, stop_service
from tests.stack.airflow_api import AirflowApi

pytestmark = [pytest.mark.slow, pytest.mark.system]

LAND, WAREHOUSE, MONTHLY = "citypulse_land", "citypulse_warehouse", "citypulse_monthly_evaluation"
PERIOD = "2026-10"  # the first drop's only month (exports through 2026-11-07, month end + 7 days)
# The assets' names as the DAGs declare them (Airflow normalises the URI itself to "…/lake/").
LAKE = "citypulse://lake"  # the outlet of citypulse_land's announce task
EVALUATIONS = "citypulse://evaluations"  # the outlet of citypulse_monthly_evaluation's evaluate task
STAGE_TIMEOUT = float(os.environ.get("CITYPULSE_SYSTEM_TIMEOUT", "1200"))


def _api(cfg: StackConfig) -> AirflowApi:
    password = credentials.load(cfg.settings)["airflow"]["admin_password"]
    return AirflowApi(cfg.airflow_url, "admin", password)


def _ledger(cfg: StackConfig) -> pl.DataFrame:
    return pl.read_parquet(sorted(cfg.settings.ingests.glob("*.parquet")))


def _duplicate_keys(serving: Path) -> dict[str, int]:
    """Rows sharing a grain key in the serving marts (must be none)."""
    checks = {
        "fct_post_snapshot": "platform, post_id, observed_at",
        "eval_platform_score": "run_id, city_code, platform",
        "eval_composite_score": "run_id, composite, city_code",
    }
    with duckdb.connect(str(serving), read_only=True) as con:
        return {
            table: int(
                con.execute(
                    f"select count(*) from (select {key} from {table} group by all having count(*) > 1)"
                ).fetchone()[0]  # type: ignore[index]
            )
            for table, key in checks.items()
        }


def _superset_ranking(cfg: StackConfig, period: str) -> list[dict[str, object]]:
    """The month's composite ranking as Superset's SQL Lab API returns it (admin, warehouse database)."""
    password = credentials.load(cfg.settings)["superset"]["admin_password"]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def call(method: str, path: str, payload: dict[str, object] | None = None, token: str = "") -> dict:
        headers = {"Content-Type": "application/json", "Referer": cfg.superset_url}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if csrf.get("token"):
            headers["X-CSRFToken"] = csrf["token"]
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(
            f"{cfg.superset_url}{path}", data=data, method=method, headers=headers
        )
        try:
            with opener.open(request, timeout=60) as response:
                return dict(json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            raise AssertionError(
                f"Superset {method} {path}: HTTP {exc.code} {exc.read().decode()[:1000]}"
            ) from exc

    csrf: dict[str, str] = {}
    token = call(
        "POST",
        "/api/v1/security/login",
        {"username": "admin", "password": password, "provider": "db", "refresh": False},
    )["access_token"]
    csrf["token"] = call("GET", "/api/v1/security/csrf_token/", token=token)["result"]
    databases = call("GET", "/api/v1/database/", token=token)["result"]
    (warehouse,) = [d for d in databases if d["backend"] == "duckdb"]
    sql = (
        "select s.city_code, s.score, s.rank from eval_composite_score s "
        "join eval_run r using (run_id) "
        f"where r.period = '{period}' and r.is_official and s.composite = 'overall' order by s.rank"
    )
    result = call(
        "POST",
        "/api/v1/sqllab/execute/",
        # Only the fields of Superset's ExecutePayloadSchema: an unknown one is a 400.
        {
            "database_id": warehouse["id"],
            "sql": sql,
            "runAsync": False,
            "schema": "main",
            "tab": "issue-7",
            "client_id": uuid.uuid4().hex[:10],
            "queryLimit": 100,
        },
        token=token,
    )
    return list(result["data"])


def test_exports_flow_to_the_monthly_ranking_through_scheduler_and_workers(
    running_stack: StackConfig,
) -> None:
    from citypulse.evaluation import registry
    from citypulse.evaluation.methodology import DEFAULT_VERSION
    from citypulse.sample.generator import generate

    cfg = running_stack
    api = _api(cfg)
    drop = cfg.home / "drops" / "first"
    # Every registered city (the evaluation refuses a month in which a registered official account
    # has no data) but one month only: ~200 files, each a mapped land task on the Celery worker.
    every_city = pl.read_csv(SEEDS_DIR / "cities.csv").height
    summary = generate(drop, cities=every_city, months=1, seed=42)
    shutil.copytree(drop, cfg.settings.inbox, dirs_exist_ok=True)

    # --- land (triggered through the REST API) → lake asset → warehouse ---
    # Unpausing also creates a scheduled run for the latest tick (catchup=False). max_active_runs=1
    # runs the two one after the other; the first lands the files and the other finds them in the
    # ledger (landing is idempotent: the ingest ids below stay unique), so one lake event is emitted.
    api.set_paused(WAREHOUSE, False)
    api.set_paused(LAND, False)
    land_run = api.trigger(LAND)
    assert api.wait_for_run(LAND, land_run, STAGE_TIMEOUT)["state"] == "success", api.describe(LAND, land_run)
    ledger = _ledger(cfg)
    assert ledger["ingest_id"].is_unique().all()
    assert set(ledger["status"]) <= {"landed", "duplicate", "quarantined"}
    assert ledger.filter(pl.col("status") == "quarantined").height == len(summary["bad_files"])

    warehouse_run = api.wait_for_new_run(WAREHOUSE, set(), STAGE_TIMEOUT)
    done = api.wait_for_run(WAREHOUSE, warehouse_run, STAGE_TIMEOUT)
    assert done["state"] == "success", api.describe(WAREHOUSE, warehouse_run)
    assert done["run_type"] == "asset_triggered"
    assert {e["name"] for e in api.upstream_asset_events(WAREHOUSE, warehouse_run)} == {LAKE}
    assert cfg.settings.serving_db.exists()

    # --- monthly evaluation: a backfill of November's run only (no catch-up of empty months) ---
    known_warehouse = {r["dag_run_id"] for r in api.runs(WAREHOUSE)}
    backfill = api.call(
        "POST",
        "/backfills",
        {
            "dag_id": MONTHLY,
            "from_date": "2026-11-01T00:00:00+08:00",
            "to_date": "2026-11-30T00:00:00+08:00",
            "max_active_runs": 1,
            "reprocess_behavior": "none",
        },
    )
    _wait_until(
        lambda: (api.call("GET", f"/dags/{MONTHLY}").get("next_dagrun_logical_date") or "") > "2026-11-08T",
        STAGE_TIMEOUT,
        "the dag-processor to move the monthly schedule past the backfilled run",
    )
    api.set_paused(MONTHLY, False)
    (monthly_run,) = [r["dag_run_id"] for r in api.runs(MONTHLY) if r["run_type"] == "backfill"]
    done = api.wait_for_run(MONTHLY, monthly_run, STAGE_TIMEOUT)
    api.set_paused(MONTHLY, True)
    assert done["state"] == "success", api.describe(MONTHLY, monthly_run)
    assert backfill["dag_id"] == MONTHLY
    official = registry.official_run(cfg.settings.evaluations, PERIOD, DEFAULT_VERSION)
    assert official is not None and (cfg.settings.reports / f"citypulse-{PERIOD}.html").exists()

    # --- the marts read the frozen runs when the warehouse builds: the evaluate task's outlet (the
    # evaluations asset) schedules citypulse_warehouse, which republishes; then Superset sees it ---
    rebuild = api.wait_for_new_run(WAREHOUSE, known_warehouse, STAGE_TIMEOUT)
    done = api.wait_for_run(WAREHOUSE, rebuild, STAGE_TIMEOUT)
    assert done["state"] == "success", api.describe(WAREHOUSE, rebuild)
    assert done["run_type"] == "asset_triggered"
    assert {e["name"] for e in api.upstream_asset_events(WAREHOUSE, rebuild)} == {EVALUATIONS}
    _wait_for_publish_including(cfg, official)
    ranking = _superset_ranking(cfg, PERIOD)
    assert ranking and [row["rank"] for row in ranking] == sorted(row["rank"] for row in ranking)
    assert {str(row["city_code"]) for row in ranking} <= set(summary["cities"])
    assert _duplicate_keys(cfg.settings.serving_db) == dict.fromkeys(
        _duplicate_keys(cfg.settings.serving_db), 0
    )


def test_a_second_drop_flows_through_on_its_own_and_survives_a_killed_worker(
    running_stack: StackConfig,
) -> None:
    from citypulse.sample.generator import generate

    cfg = running_stack
    api = _api(cfg)
    known_land = {r["dag_run_id"] for r in api.runs(LAND)}
    known_warehouse = {r["dag_run_id"] for r in api.runs(WAREHOUSE)}
    ledger_before = _ledger(cfg)

    # New exports (another seed: other posts, later observations) dropped into the inbox: nobody
    # triggers anything; the land DAG's schedule picks them up and the lake asset starts the warehouse.
    drop = cfg.home / "drops" / "second"
    generate(drop, cities=2, months=1, seed=4242)
    dropped_at = datetime.now(UTC)
    shutil.copytree(drop, cfg.settings.inbox, dirs_exist_ok=True)
    land_run = _first_land_run_discovering_after(api, known_land, dropped_at)

    # Kill the Celery worker while a land task is running: SIGKILL to every process of its session,
    # as a crashed host or container loses it, task runners included (Airflow's supervisor puts
    # each in a process group of its own, so killing the worker's group alone would leave them
    # running and landing as orphans).
    _wait_until(
        lambda: any(t["state"] == "running" for t in api.task_instances(LAND, land_run)),
        STAGE_TIMEOUT,
        "a running land task",
    )
    worker = json.loads((services.run_dir(cfg.settings) / "airflow-worker.json").read_text())
    assert len(process_groups.kill_group(worker["pid"], worker["start_time"])) > 1
    _wait_until(lambda: not is_running(worker["pid"]), 30, "the worker to die")
    assert process_groups.members(worker["pid"], worker["start_time"]) == []
    stop_service(cfg, "airflow-worker")
    start_airflow_service(cfg, "airflow-worker", stack_airflow.airflow_env(cfg))
    _wait_until(lambda: bool(celery_workers(cfg)), 300, "the replacement worker")

    done = api.wait_for_run(LAND, land_run, STAGE_TIMEOUT)
    assert done["state"] == "success", api.describe(LAND, land_run)
    retried = [t for t in api.task_instances(LAND, land_run) if (t.get("try_number") or 0) > 1]
    assert retried, "the task running when the worker died is retried"

    warehouse_run = api.wait_for_new_run(WAREHOUSE, known_warehouse, STAGE_TIMEOUT)
    done = api.wait_for_run(WAREHOUSE, warehouse_run, STAGE_TIMEOUT)
    assert done["state"] == "success", api.describe(WAREHOUSE, warehouse_run)

    ledger = _ledger(cfg)
    assert ledger["ingest_id"].is_unique().all(), "a retried landing must not record a file twice"
    assert ledger.height > ledger_before.height
    lake_ids = (
        pl.scan_parquet(str(cfg.settings.lake / "post_observations" / "**" / "*.parquet"))
        .select("ingest_id", "source_row")
        .collect()
    )
    assert not lake_ids.is_duplicated().any(), "no lake row may be written twice"
    assert set(_duplicate_keys(cfg.settings.serving_db).values()) == {0}


def _first_land_run_discovering_after(api: AirflowApi, known: set[str], since: datetime) -> str:
    """The scheduled land run that saw the drop: the first whose discover task started after it
    (a run already under way when the files arrived may have listed the inbox before them)."""
    found: list[str] = []

    def discovered_after() -> bool:
        for run in api.runs(LAND):
            if run["dag_run_id"] in known:
                continue
            starts = [
                t["start_date"]
                for t in api.task_instances(LAND, run["dag_run_id"])
                if t["task_id"] == "discover" and t.get("start_date")
            ]
            if starts and datetime.fromisoformat(starts[0]) >= since:
                found.append(str(run["dag_run_id"]))
                return True
        return False

    _wait_until(discovered_after, STAGE_TIMEOUT, "a scheduled land run that discovers the new drop")
    return found[0]


def _wait_for_publish_including(cfg: StackConfig, run_id: str) -> None:
    """The marts read the frozen runs when built; the evaluation's own publish makes them visible."""

    def visible() -> bool:
        with duckdb.connect(str(cfg.settings.serving_db), read_only=True) as con:
            return bool(con.execute("select count(*) from eval_run where run_id = ?", [run_id]).fetchone()[0])  # type: ignore[index]

    _wait_until(visible, STAGE_TIMEOUT, f"serving.duckdb to include evaluation run {run_id}")


def _wait_until(ready: object, timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if ready():  # type: ignore[operator]
            return
        time.sleep(3)
    raise AssertionError(f"timed out after {timeout_s:.0f}s waiting for {what}")
