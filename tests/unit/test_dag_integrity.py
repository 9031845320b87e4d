"""Every DAG file imports cleanly, every contracted DAG id exists, and parsing stays cheap."""

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


def test_each_dag_file_parses_under_two_seconds(dagbag) -> None:
    stats = dagbag.dagbag_stats
    assert stats, "DagBag recorded no parse statistics"
    slow = {s.file: s.duration.total_seconds() for s in stats if s.duration.total_seconds() >= 2.0}
    assert not slow, f"DAG files parsing in 2 s or more: {slow}"


def test_land_dag_maps_one_task_per_file(dagbag) -> None:
    dag = dagbag.dags["citypulse_land"]
    assert dag.max_active_runs == 1
    land = dag.get_task("land")
    assert land.__class__.__name__.endswith("MappedOperator")
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
