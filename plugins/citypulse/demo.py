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
from pathlib import Path

from citypulse import airflow_embedded, credentials, services
from citypulse.environment import apply
from citypulse.settings import Settings, get_settings


def _say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


def latest_complete_period(max_observed: dt.datetime, maturity_days: int = 7) -> str:
    """The latest month whose posts have matured (month end + maturity ≤ newest observation)."""
    cutoff = (max_observed - dt.timedelta(days=maturity_days)).date()
    first_of_cutoff_month = cutoff.replace(day=1)
    last_month_end = first_of_cutoff_month - dt.timedelta(days=1)
    return f"{last_month_end.year:04d}-{last_month_end.month:02d}"


def _max_observed(settings: Settings) -> dt.datetime:
    import duckdb

    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        row = con.execute("select max(observed_at) from fct_post_snapshot").fetchone()
    if not row or row[0] is None:
        raise RuntimeError("the serving warehouse has no post observations to evaluate")
    value: dt.datetime = row[0]
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def run_pipeline(settings: Settings) -> dict[str, str]:
    from citypulse.evaluation.run import evaluate
    from citypulse.landing.runner import land_inbox
    from citypulse.report.render import write_report
    from citypulse.sample.generator import generate
    from citypulse.warehouse.build import build

    _say(f"data home: {settings.home}")
    summary = generate(settings.inbox, seed=42)
    _say(f"sample exports written to {settings.inbox}: {summary.get('files', '?')} files")

    landed = land_inbox(settings, settings.inbox)
    statuses: dict[str, int] = {}
    for f in landed.to_json()["files"]:
        statuses[f["status"]] = statuses.get(f["status"], 0) + 1
    _say(f"landed: {statuses} (the sample contains one bad file on purpose: it is quarantined)")

    outcome = build(settings)
    if outcome.exit_code != 0:
        raise RuntimeError(f"warehouse build failed: {outcome.to_json()}")
    _say(f"warehouse published: {settings.serving_db}")

    period = latest_complete_period(_max_observed(settings))
    run_id = evaluate(settings, period)
    _say(f"evaluation {period}: run {run_id}")

    report = write_report(settings, period, settings.reports / f"citypulse-{period}.html")
    _say(f"report: {report}")
    return {"period": period, "run_id": run_id, "report": str(report)}


def serve(settings: Settings) -> dict[str, str]:
    from citypulse.superset import bootstrap as superset_bootstrap
    from citypulse.superset import server as superset_server

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
    superset_url = superset_server.start(settings, ss_port)
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
    print(f"""
  Airflow   {urls['airflow']}   user admin / password in {settings.credentials_file} (airflow.admin_password)
  Superset  {urls['superset']}   user admin / password in {settings.credentials_file} (superset.admin_password)
  Report    {results['report']}   (period {results['period']}, run {results['run_id']})
  Credentials file (0600): {settings.credentials_file}
  Stop the services:  make demo-stop
""", flush=True)
    # The passwords are generated per data home; print them once for the person at the terminal.
    if sys.stdout.isatty():
        print(f"  Airflow admin password: {airflow_pw}")
    return 0


def check_login(settings: Settings) -> None:
    """Smoke check used by tests: log in to Airflow and read its health endpoint."""
    import json

    port = int(os.environ.get("CITYPULSE_AIRFLOW_PORT", "8080"))
    pw = credentials.load(settings)["airflow"]["admin_password"]
    req = urllib.request.Request(f"http://localhost:{port}/auth/token", method="POST",
                                 data=json.dumps({"username": "admin", "password": pw}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        token = json.loads(resp.read())["access_token"]
    health = urllib.request.Request(f"http://localhost:{port}/api/v2/monitor/health",
                                    headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(health, timeout=10) as resp:
        assert resp.status == 200


def stop() -> int:
    settings = get_settings()
    for name in services.stop_all(settings):
        _say(f"stopped {name}")
    return 0


if __name__ == "__main__":
    sys.exit(stop() if sys.argv[1:] == ["stop"] else main())
