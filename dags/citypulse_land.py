"""citypulse_land — land every new inbox file (mapped tasks: one per file, or at most 32 groups of
files for a big drop), validate the batch with the lake GX suites once, then announce the lake.

Wiring only: the logic is citypulse.landing, citypulse.quality.lake_batch and
citypulse.orchestration.landing (unit-tested there). ``validate`` runs even when a file's task
failed (all_done), so the files that did land are checked. The lake asset triggers
citypulse_warehouse; it is emitted only when at least one file actually landed.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, task

from citypulse.notify import notify_failure
from citypulse.settings import LOCAL_TZ

LAKE = Asset("citypulse://lake")
# How often the inbox is polled (cron). A deployment may poll more often; the stack's system test
# does, so a new drop flows through in minutes instead of waiting for the next quarter hour.
SCHEDULE = os.environ.get("CITYPULSE_LAND_SCHEDULE") or "*/15 * * * *"
# One file's landing is bounded (citypulse.limits); a task that still runs this long is
# stuck, and with max_active_runs=1 it would hold back every later drop: it is stopped and retried.
LAND_TIMEOUT = timedelta(minutes=int(os.environ.get("CITYPULSE_LAND_TIMEOUT_MINUTES") or 60))

default_args = {"retries": 2, "retry_delay": timedelta(minutes=1), "on_failure_callback": notify_failure}


@dag(
    dag_id="citypulse_land",
    schedule=SCHEDULE,
    start_date=pendulum.datetime(2026, 1, 1, tz=LOCAL_TZ),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["citypulse", "landing"],
    doc_md=__doc__,
)
def citypulse_land() -> None:
    @task
    def discover() -> list[list[str]]:
        from citypulse.landing.runner import discover_new_files
        from citypulse.orchestration.landing import land_groups
        from citypulse.settings import get_settings

        settings = get_settings().ensure()
        return land_groups([str(p) for p in discover_new_files(settings, settings.inbox)])

    @task(max_active_tis_per_dagrun=4, execution_timeout=LAND_TIMEOUT)
    def land(paths: list[str]) -> list[dict]:
        from citypulse.orchestration.landing import land_group
        from citypulse.settings import get_settings

        return land_group(get_settings().ensure(), paths)

    @task(trigger_rule="all_done")
    def validate(results: list[list[dict]]) -> dict:
        from citypulse.orchestration.landing import per_file, validate_landed
        from citypulse.settings import get_settings

        return validate_landed(get_settings().ensure(), per_file(results))

    @task(outlets=[LAKE], trigger_rule="all_done")
    def announce(results: list[list[dict]]) -> dict:
        from citypulse.orchestration.landing import announce_landing, per_file

        # Raises AirflowSkipException when nothing new landed, so no lake event is emitted.
        return announce_landing(per_file(results))

    landed = land.expand(paths=discover())
    validate(landed) >> announce(landed)


citypulse_land()
