"""``make demo``: the main job end to end on the embedded default, through Airflow, then serve it.

sample exports (six complete months) → Airflow (api-server, scheduler, dag-processor, triggerer) →
citypulse_land → citypulse_warehouse (write-audit-publish) → citypulse_monthly_evaluation for each of
the last six complete months (its report task writes each month's report) → citypulse_warehouse again
(the eval_* marts) → the latest month's report → Superset bootstrap → Superset on localhost.

Every step is a DAG run the demo triggers through Airflow's REST API and waits for, so Airflow shows
what was done; a failed run stops the demo with its tasks' log tails, and Airflow stays up to inspect
it. The DAGs are active (unpaused at creation, config/citypulse.env). While it drives them, the demo
holds the warehouse and evaluation DAGs paused, so neither an asset event nor the evaluation's
catch-up starts a run it did not ask for (a catch-up run would evaluate an empty warehouse); it
releases them when its runs are done. Running it again reuses the data home: landing is idempotent,
a month already evaluated through Airflow keeps its run, and the services are restarted.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

from citypulse import airflow_embedded, credentials, services
from citypulse.airflow_rest import AirflowAPI
from citypulse.environment import apply
from citypulse.settings import Settings, get_settings

DEMO_CITIES = 7  # every city of dbt_project/seeds/cities.csv, so the completeness check holds
DEMO_MONTHS = 6  # evaluated months: every trend chart and the report's trend draw six points
LAND, WAREHOUSE, MONTHLY = "citypulse_land", "citypulse_warehouse", "citypulse_monthly_evaluation"
HELD = (WAREHOUSE, MONTHLY)  # paused while the demo drives them (see the module docstring)
# The scheduler starts last: the demo holds DAGs before anything can schedule them.
AIRFLOW_SERVICES = {
    "airflow-api-server": ["api-server"],
    "airflow-dag-processor": ["dag-processor"],
    "airflow-triggerer": ["triggerer"],
    "airflow-scheduler": ["scheduler"],
}


def _say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def _run_timeout() -> float:
    """Seconds one DAG run may take before the demo gives up on it (a full warehouse run takes
    tens of minutes on a busy two-core machine: Cosmos runs each dbt node as its own task)."""
    return float(os.environ.get("CITYPULSE_DEMO_RUN_TIMEOUT", "3600"))


def _max_observed(settings: Settings) -> dt.datetime:
    import duckdb

    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        row = con.execute("select max(observed_at) from fct_post_snapshot").fetchone()
    if not row or row[0] is None:
        raise RuntimeError("the serving warehouse has no post observations to evaluate")
    value: dt.datetime = row[0]
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def evaluation_periods(settings: Settings, count: int = DEMO_MONTHS) -> list[str]:
    """The last ``count`` complete months of the published data, oldest first, none before the
    month of the first published post (a month without posts cannot be evaluated)."""
    import duckdb

    from citypulse.evaluation.period import Period, latest_complete_period

    # The data's "now", not the wall clock: exports of day 7 are what the run of the 8th evaluates.
    latest = Period.parse(latest_complete_period(_max_observed(settings) + dt.timedelta(days=1)))
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        row = con.execute("select min(published_date) from dim_post").fetchone()
    first = Period(row[0].year, row[0].month) if row and row[0] else latest
    periods = [latest]
    while len(periods) < count and periods[-1].previous() >= first:
        periods.append(periods[-1].previous())
    return [str(p) for p in reversed(periods)]


def write_sample(settings: Settings) -> None:
    from citypulse.sample.generator import generate

    _say(f"data home: {settings.home}")
    if any(settings.inbox.iterdir()):
        _say(f"inbox {settings.inbox} already has files: landing what is new there (no new sample)")
        return
    # Every registered city; six complete months, the latest evaluable (exports run to its 7th).
    summary = generate(settings.inbox, cities=DEMO_CITIES, months=DEMO_MONTHS, seed=42)
    _say(
        f"sample exports written to {settings.inbox}: {summary.get('files', '?')} files, "
        f"{summary['period_start']} to {summary['period_end']}"
    )


def start_airflow(settings: Settings) -> AirflowAPI:
    """Start the embedded Airflow with the driven DAGs held paused; return a logged-in client."""
    for name in reversed(AIRFLOW_SERVICES):  # a previous demo's scheduler must not schedule meanwhile
        services.stop(settings, name)
    env = airflow_embedded.prepare(settings)
    url = env["AIRFLOW__API__BASE_URL"]
    af = airflow_embedded.airflow_bin()
    argv = {name: [af, *args] for name, args in AIRFLOW_SERVICES.items()}
    argv["airflow-api-server"] += ["--port", env["AIRFLOW__API__PORT"]]
    api_server = services.start(settings, "airflow-api-server", argv["airflow-api-server"], env)
    services.start(settings, "airflow-dag-processor", argv["airflow-dag-processor"], env)
    services.start(settings, "airflow-triggerer", argv["airflow-triggerer"], env)
    services.wait_http(f"{url}/api/v2/monitor/health", service=api_server)
    password = credentials.load(settings)["airflow"]["admin_password"]
    api = AirflowAPI.login(url, airflow_embedded.ADMIN, password)
    api.wait_for_dags([LAND, *HELD])
    for dag_id in HELD:
        api.set_paused(dag_id, True)
    services.start(settings, "airflow-scheduler", argv["airflow-scheduler"], env)
    _say(f"Airflow up at {url} (api-server, dag-processor, triggerer, scheduler)")
    return api


def _ledger_statuses(settings: Settings) -> dict[str, int]:
    import polars as pl

    files = sorted(settings.ingests.glob("*.parquet"))
    if not files:
        return {}
    ledger = pl.read_parquet(files).filter(~pl.col("original_name").str.contains("!", literal=True))
    return {str(k): int(v) for k, v in ledger["status"].value_counts().iter_rows()}


def run_dag(api: AirflowAPI, dag_id: str, what: str) -> str:
    """Trigger one run of ``dag_id`` now, wait for its success, say so; return its run_id."""
    started = time.monotonic()
    run_id = api.trigger(dag_id)
    api.wait(dag_id, run_id, _run_timeout())
    _say(f"{what}: {dag_id} run {run_id} succeeded ({time.monotonic() - started:.0f}s)")
    return run_id


def run_pipeline(settings: Settings, api: AirflowAPI) -> dict[str, str]:
    """Land, build, evaluate six months and republish, each as DAG runs; then the latest report."""
    from citypulse.evaluation.period import scheduled_logical_date
    from citypulse.report.render import write_report

    run_dag(api, LAND, "landing")
    statuses = _ledger_statuses(settings)
    note = (
        " (the sample holds bad files on purpose: they are quarantined)"
        if statuses.get("quarantined")
        else ""
    )
    _say(f"ledger: {statuses or 'nothing landed'}{note}")

    api.set_paused(WAREHOUSE, False)
    run_dag(api, WAREHOUSE, "warehouse published")
    api.set_paused(WAREHOUSE, True)  # the evaluations' asset events must not start builds meanwhile

    periods = evaluation_periods(settings)
    # Each month's run sits at its scheduled logical date, so the schedule's catch-up finds it and
    # never adds a second; queued in date order, they evaluate oldest first (rank changes read the
    # previous month's frozen run).
    runs = {p: api.ensure_run(MONTHLY, scheduled_logical_date(p)) for p in periods}
    api.set_paused(MONTHLY, False)
    for period, (run_id, how) in runs.items():
        started = time.monotonic()
        api.wait(MONTHLY, run_id, _run_timeout())
        # a run dated before the DAG's start_date has no tasks and succeeds without evaluating
        api.xcom(MONTHLY, run_id, "evaluate")
        _say(
            f"evaluation {period}: {MONTHLY} run {run_id} ({how}) succeeded ({time.monotonic() - started:.0f}s)"
        )

    api.set_paused(WAREHOUSE, False)
    run_dag(api, WAREHOUSE, "warehouse republished with the evaluation marts")

    latest = periods[-1]
    run_id = str(api.xcom(MONTHLY, runs[latest][0], "evaluate"))
    report = write_report(settings, latest, settings.reports / f"citypulse-{latest}.html")
    _say(f"report: {report}")
    return {"period": latest, "periods": ", ".join(periods), "run_id": run_id, "report": str(report)}


def serve_superset(settings: Settings) -> str:
    from citypulse.superset import bootstrap as superset_bootstrap
    from citypulse.superset.runtime import superset_env
    from citypulse.superset.server import gunicorn_argv

    if superset_bootstrap.bootstrap(settings) != 0:
        raise RuntimeError("superset-bootstrap failed")
    _say("Superset bootstrapped (dashboards imported)")
    ss_port = int(os.environ.get("CITYPULSE_SUPERSET_PORT", "8088"))
    superset = services.start(
        settings,
        "superset",
        gunicorn_argv(settings, ss_port),
        superset_env(settings),
        cwd=settings.superset_home,
    )
    superset_url = f"http://localhost:{ss_port}"
    services.wait_http(f"{superset_url}/health", service=superset)
    return superset_url


def main() -> int:
    settings = get_settings().ensure()
    apply(settings)
    started = time.monotonic()
    api: AirflowAPI | None = None
    try:
        write_sample(settings)
        api = start_airflow(settings)
        results = run_pipeline(settings, api)
        superset_url = serve_superset(settings)
    except Exception as exc:  # noqa: BLE001 - the demo must fail loudly with the reason
        _say(f"FAILED: {exc}")
        if api is not None:
            _say(
                f"Airflow stays up at {api.base_url} to inspect the run ({', '.join(HELD)} may still be "
                "paused by the demo); make demo-stop stops it"
            )
        raise
    creds = credentials.load(settings)
    airflow_pw = creds.get("airflow", {}).get("admin_password", "?")
    _say(f"serving (ready in {time.monotonic() - started:.0f}s); the DAGs are active")
    print(
        f"""
  Airflow   {api.base_url}   user admin / password in {settings.credentials_file} (airflow.admin_password)
  Superset  {superset_url}   user admin / password in {settings.credentials_file} (superset.admin_password)
  Report    {results["report"]}   (period {results["period"]}, run {results["run_id"]})
  Evaluated {results["periods"]}
  Credentials file (0600): {settings.credentials_file}
  Stop the services:  make demo-stop
""",
        flush=True,
    )
    # The passwords are generated per data home; print them once for the person at the terminal.
    if sys.stdout.isatty():
        print(f"  Airflow admin password: {airflow_pw}")
    return 0


def check_login(settings: Settings) -> None:
    """Smoke check used by tests: log in to Airflow with the admin password and read its health."""
    url = airflow_embedded.airflow_env(settings)["AIRFLOW__API__BASE_URL"]
    password = credentials.load(settings)["airflow"]["admin_password"]
    AirflowAPI.login(url, airflow_embedded.ADMIN, password).request("GET", "monitor/health")


def stop() -> int:
    settings = get_settings()
    for name in services.stop_all(settings):
        _say(f"stopped {name}")
    return 0


if __name__ == "__main__":
    sys.exit(stop() if sys.argv[1:] == ["stop"] else main())
