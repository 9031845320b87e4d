"""citypulse_warehouse — dbt builds build.duckdb (Cosmos), the audit checks it, publish swaps serving.

Wiring only (citypulse.warehouse). Scheduled on the lake asset that citypulse_land emits; one DuckDB
writer at a time (pool ``duckdb_writer`` with one slot, one active run); emits the serving asset
only after a passed audit.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, task
from cosmos import DbtTaskGroup

from citypulse.notify import notify_failure
from citypulse.settings import LOCAL_TZ, get_settings
from citypulse.warehouse.cosmos_setup import WRITER_POOL, cosmos_arguments

LAKE = Asset("citypulse://lake")
SERVING = Asset("citypulse://serving")
EVALUATIONS = Asset("citypulse://evaluations")  # a new frozen run: republish the eval_* marts

default_args = {"retries": 1, "retry_delay": timedelta(minutes=2), "on_failure_callback": notify_failure}


@dag(
    dag_id="citypulse_warehouse",
    schedule=(LAKE | EVALUATIONS),
    start_date=pendulum.datetime(2026, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["citypulse", "warehouse"],
    doc_md=__doc__,
)
def citypulse_warehouse() -> None:
    dbt_build = DbtTaskGroup(group_id="dbt_build", **cosmos_arguments(get_settings()))

    @task
    def check_ledger() -> int:
        from citypulse.lake.integrity import audit_and_record

        # recorded for ops_integrity_checks (the pipeline-health dashboard); a finding never stops a build
        return sum(not check.ok for check in audit_and_record(get_settings()))

    @task(pool=WRITER_POOL)
    def audit() -> dict:
        from citypulse.warehouse.airflow_tasks import audit_or_fail

        return audit_or_fail()

    @task(pool=WRITER_POOL, outlets=[SERVING])
    def publish() -> str:
        from citypulse.warehouse.publish import publish as publish_serving

        return str(publish_serving(get_settings()))

    @task
    def viral_alerts(published: str) -> int:
        from pathlib import Path

        from citypulse.diagnostics.alerts import alert_latest_day

        return alert_latest_day(Path(published))

    published = publish()
    check_ledger() >> dbt_build >> audit() >> published
    viral_alerts(published)


warehouse_dag = citypulse_warehouse()
