"""citypulse_land — land every new inbox file (one mapped task per file), then announce the lake.

Wiring only: the logic is citypulse.landing (unit-tested there). The lake asset triggers
citypulse_warehouse; it is emitted only when at least one file actually landed.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, dag, task

LAKE = Asset("citypulse://lake")

default_args = {"retries": 2, "retry_delay": timedelta(minutes=1)}


@dag(
    dag_id="citypulse_land",
    schedule="*/15 * * * *",
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["citypulse", "landing"],
    doc_md=__doc__,
)
def citypulse_land() -> None:
    @task
    def discover() -> list[str]:
        from citypulse.landing.runner import discover_new_files
        from citypulse.settings import get_settings

        settings = get_settings().ensure()
        return [str(p) for p in discover_new_files(settings, settings.inbox)]

    @task(max_active_tis_per_dagrun=4)
    def land(path: str) -> dict:
        from pathlib import Path

        from citypulse.landing.runner import land_file
        from citypulse.settings import get_settings

        settings = get_settings().ensure()
        return land_file(settings, Path(path), settings.inbox).to_json()

    @task(outlets=[LAKE], trigger_rule="all_done")
    def announce(results: list[dict]) -> dict:
        from citypulse.orchestration.landing import announce_landing

        # Raises AirflowSkipException when nothing new landed, so no lake event is emitted.
        return announce_landing(list(results))

    announce(land.expand(path=discover()))


citypulse_land()
