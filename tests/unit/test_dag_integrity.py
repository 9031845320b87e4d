"""Every DAG file imports cleanly and every contracted DAG id exists (parse time is measured in bench/dag_parse.py)."""

from __future__ import annotations

import pytest

from citypulse.environment import apply
from citypulse.settings import Settings

EXPECTED = {"citypulse_land", "citypulse_warehouse", "citypulse_monthly_evaluation"}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("dag-integrity")
    monkey = pytest.MonkeyPatch()
    monkey.setenv("CITYPULSE_HOME", str(home))
    settings = Settings.from_env().ensure()
    apply(settings)
    from airflow.dag_processing.dagbag import DagBag

    from citypulse.warehouse.manifest import ensure_manifest

    ensure_manifest(settings)  # the warehouse DAG renders from it (a fresh clone has none yet)

    bag = DagBag(dag_folder=str(settings.repo / "dags"))
    yield bag
    monkey.undo()


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}, dagbag.import_errors


def test_expected_dag_ids_present(dagbag) -> None:
    assert EXPECTED <= set(dagbag.dag_ids), sorted(dagbag.dag_ids)


def test_land_dag_maps_one_task_per_file(dagbag) -> None:
    dag = dagbag.dags["citypulse_land"]
    assert dag.max_active_runs == 1
    land = dag.get_task("land")
    assert land.__class__.__name__.endswith("MappedOperator")
    # no input can hold the only active run for ever
    assert land.partial_kwargs["execution_timeout"].total_seconds() > 0
    outlets = [o.uri for o in dag.get_task("announce").outlets]
    from airflow.sdk import Asset

    assert outlets == [Asset("citypulse://lake").uri]


def test_land_dag_validates_the_batch_once_before_announcing(dagbag) -> None:
    dag = dagbag.dags["citypulse_land"]
    validate = dag.get_task("validate")
    assert not validate.__class__.__name__.endswith("MappedOperator")  # one GX run per DAG run
    assert validate.trigger_rule == "all_done"  # quality runs even when one file's task failed
    assert validate.upstream_task_ids == {"land"}
    assert dag.get_task("announce").upstream_task_ids == {"land", "validate"}


def test_warehouse_publishes_only_after_the_audit(dagbag) -> None:
    dag = dagbag.dags["citypulse_warehouse"]
    publish = dag.get_task("publish")
    assert publish.upstream_task_ids == {"audit"}
    assert dag.get_task("audit").upstream_task_ids, "the audit must wait for the dbt build"
    assert dag.get_task("viral_alerts").upstream_task_ids == {"publish"}
    # the ledger's integrity is recorded before any dbt task, so each build publishes a current result
    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith("dbt_build.")]
    assert dbt_tasks and all(
        "check_ledger" in t.upstream_task_ids for t in dbt_tasks if not t.upstream_task_ids - {"check_ledger"}
    )
    assert dag.get_task("check_ledger").downstream_task_ids


def test_dags_leave_their_paused_state_to_the_deployment(dagbag) -> None:
    # Each deployment's config creates them active (config/citypulse.env, docker-compose.yml, the
    # stack); a DAG-level flag would override that, also where a standby must come up paused.
    assert {d: dagbag.dags[d].is_paused_upon_creation for d in EXPECTED} == dict.fromkeys(EXPECTED)


def test_a_months_evaluation_is_triggered_at_the_schedules_own_tick(dagbag) -> None:
    # The demo triggers each month at scheduled_logical_date(period): the very run the schedule's
    # catch-up would create, so it is found there and never created twice.
    from datetime import timedelta

    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable
    from airflow.timetables.base import TimeRestriction

    from citypulse.evaluation.period import period_for_logical_date, scheduled_logical_date

    # the timetable as the scheduler reads it from the serialized DAG
    timetable = decode_timetable(encode_timetable(dagbag.dags["citypulse_monthly_evaluation"].timetable))
    # a run dated before start_date gets no task instances: the demo's first month must be after it
    assert dagbag.dags["citypulse_monthly_evaluation"].start_date <= scheduled_logical_date("2026-05")
    for period in ("2026-05", "2026-10", "2026-12"):
        at = scheduled_logical_date(period)
        restriction = TimeRestriction(earliest=at - timedelta(days=20), latest=None, catchup=True)
        tick = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
        assert tick is not None and tick.logical_date == at, (period, tick)
        assert period_for_logical_date(tick.logical_date) == period
