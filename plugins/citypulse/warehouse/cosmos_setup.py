"""The Cosmos configuration of the citypulse_warehouse DAG (kept out of the DAG file, which is wiring).

- LoadMode.DBT_MANIFEST: the DAG is rendered from dbt_project/target/manifest.json; no ``dbt ls`` at
  parse time. A missing manifest is an import error that says how to make one.
- ExecutionMode.LOCAL with this virtualenv's dbt, profiles from dbt_project/profiles.yml, invoked
  in the task's own process (InvocationMode.DBT_RUNNER): a dbt process per node would spend some four
  of its five seconds starting Python and dbt. After each node the task releases build.duckdb
  (``release_build_database``), which the audit and publish open from other processes.
- TestBehavior.NONE: Cosmos runs seeds, snapshots and models only; the audit task runs every dbt test
  in one process afterwards (one DuckDB writer, one set of results to record; docs/decisions.md).
- Every dbt task takes the one slot of the ``duckdb_writer`` pool.
"""

from __future__ import annotations

from typing import Any

from citypulse.settings import Settings
from citypulse.warehouse.manifest import manifest_path

WRITER_POOL = "duckdb_writer"


class ManifestMissingError(ImportError):
    pass


def cosmos_arguments(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``cosmos.DbtTaskGroup`` (imported lazily: Cosmos is heavy)."""
    from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

    manifest = manifest_path(settings)
    if not manifest.exists():
        raise ManifestMissingError(
            f"citypulse_warehouse: dbt manifest not found at {manifest}. Run `citypulse build` (or "
            "`make docs`, which runs dbt and writes it) once, then the DAG renders from it."
        )
    return {
        "project_config": ProjectConfig(
            dbt_project_path=settings.dbt_project, manifest_path=manifest, install_dbt_deps=False
        ),
        "profile_config": ProfileConfig(
            profile_name="citypulse",
            target_name="build",
            profiles_yml_filepath=settings.dbt_project / "profiles.yml",
        ),
        "execution_config": ExecutionConfig(
            execution_mode=ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
        ),
        "render_config": RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.NONE,
            emit_datasets=False,
        ),
        "operator_args": {"pool": WRITER_POOL, "callback": release_build_database},
    }


def release_build_database(project_dir: str, **_: Any) -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the next dbt call in the same process
    (its ``keep_open``): ``airflow dags test`` runs every task in one process, and its audit and
    publish must open build.duckdb from others."""
    # imported when a task runs, not when the DAG is parsed (dbt is heavy)
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    DuckDBConnectionManager.close_all_connections()
