"""``make demo``: the main job end to end on the embedded default, then serve it.

sample exports → land → build (write-audit-publish) → evaluate the latest complete month →
report → Superset bootstrap → Airflow (api-server, scheduler, dag-processor) and Superset on
localhost. Every step either succeeds or stops the demo with its error: nothing is skipped
silently. Running it again reuses the data home (landing is idempotent, the evaluation of a
period that has an official run is a no-op) and restarts the services.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import urllib.request

from citypulse import airflow_embedded, credentials, services
from citypulse.environment import apply
from citypulse.settings import Settings, get_settings

DEMO_CITIES = 7  # every city of dbt_project/seeds/cities.csv, so the completeness check holds


def _say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def _max_observed(settings: Settings) -> dt.datetime:
    import duckdb

    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        row = con.execute("select max(observed_at) from fct_post_snapshot").fetchone()
    if not row or row[0] is None:
        raise RuntimeError("the serving warehouse has no post observations to evaluate")
    value: dt.datetime = row[0]
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def run_pipeline(settings: Settings) -> dict[str, str]:
    from citypulse.evaluation.period import latest_complete_period
    from citypulse.evaluation.run import evaluate
    from citypulse.landing.runner import land_inbox
    from citypulse.report.render import write_report
    from citypulse.sample.generator import generate
    from citypulse.warehouse.build import build

    _say(f"data home: {settings.home}")
    if any(settings.inbox.iterdir()):
        _say(f"inbox {settings.inbox} already has files: landing what is new there (no new sample)")
    else:
        # Every registered city, two months: the latest one is complete and evaluable.
        summary = generate(settings.inbox, cities=DEMO_CITIES, months=2, seed=42)
        _say(f"sample exports written to {settings.inbox}: {summary.get('files', '?')} files")

    landed = land_inbox(settings, settings.inbox)
    statuses: dict[str, int] = {}
    for f in landed.to_json()["files"]:
        statuses[f["status"]] = statuses.get(f["status"], 0) + 1
    note = (
        " (the sample contains one bad file on purpose: it is quarantined)"
        if statuses.get("quarantined")
        else ""
    )
    _say(f"landed: {statuses or 'nothing new'}{note}")

    outcome = build(settings)
    if outcome.exit_code != 0:
        raise RuntimeError(f"warehouse build failed: {outcome.to_json()}")
    _say(f"warehouse published: {settings.serving_db}")

    # The data's "now", not the wall clock: exports of day 7 are what the run of the 8th evaluates.
    period = latest_complete_period(_max_observed(settings) + dt.timedelta(days=1))
    run_id = evaluate(settings, period)
    _say(f"evaluation {period}: run {run_id}")
    # Republish so the eval_* marts (read from the frozen run) reach Superset; the Airflow
    # equivalent is citypulse_warehouse being scheduled on the evaluations asset.
    outcome = build(settings)
    if outcome.exit_code != 0:
        raise RuntimeError(f"warehouse rebuild after the evaluation failed: {outcome.to_json()}")
    _say("warehouse republished with the evaluation marts")

    report = write_report(settings, period, settings.reports / f"citypulse-{period}.html")
    _say(f"report: {report}")
    return {"period": period, "run_id": run_id, "report": str(report)}


def serve(settings: Settings) -> dict[str, str]:
    from citypulse.superset import bootstrap as superset_bootstrap
    from citypulse.superset.runtime import superset_env
    from citypulse.superset.server import gunicorn_argv

    if superset_bootstrap.bootstrap(settings) != 0:
        raise RuntimeError("superset-bootstrap failed")
    _say("Superset bootstrapped (dashboards imported)")

    af_port = int(os.environ.get("CITYPULSE_AIRFLOW_PORT", "8080"))
    env = airflow_embedded.prepare(settings)
    af = airflow_embedded.airflow_bin()
    api = services.start(settings, "airflow-api-server", [af, "api-server", "--port", str(af_port)], env)
    services.start(settings, "airflow-scheduler", [af, "scheduler"], env)
    services.start(settings, "airflow-dag-processor", [af, "dag-processor"], env)
    airflow_url = f"http://localhost:{af_port}"
    services.wait_http(f"{airflow_url}/api/v2/monitor/health", service=api)

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
    return {"airflow": airflow_url, "superset": superset_url}


def main() -> int:
    settings = get_settings().ensure()
    apply(settings)
    started = time.monotonic()
    try:
        results = run_pipeline(settings)
        urls = serve(settings)
    except Exception as exc:  # noqa: BLE001 - the demo must fail loudly with the reason
        _say(f"FAILED: {exc}")
        raise
    creds = credentials.load(settings)
    airflow_pw = creds.get("airflow", {}).get("admin_password", "?")
    _say(f"serving (ready in {time.monotonic() - started:.0f}s)")
    print(
        f"""
  Airflow   {urls["airflow"]}   user admin / password in {settings.credentials_file} (airflow.admin_password)
  Superset  {urls["superset"]}   user admin / password in {settings.credentials_file} (superset.admin_password)
  Report    {results["report"]}   (period {results["period"]}, run {results["run_id"]})
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
    """Smoke check used by tests: log in to Airflow and read its health endpoint."""
    import json

    port = int(os.environ.get("CITYPULSE_AIRFLOW_PORT", "8080"))
    pw = credentials.load(settings)["airflow"]["admin_password"]
    req = urllib.request.Request(
        f"http://localhost:{port}/auth/token",
        method="POST",
        data=json.dumps({"username": "admin", "password": pw}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        token = json.loads(resp.read())["access_token"]
    health = urllib.request.Request(
        f"http://localhost:{port}/api/v2/monitor/health", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(health, timeout=10) as resp:
        assert resp.status == 200


def stop() -> int:
    settings = get_settings()
    for name in services.stop_all(settings):
        _say(f"stopped {name}")
    return 0


if __name__ == "__main__":
    sys.exit(stop() if sys.argv[1:] == ["stop"] else main())
