"""The citypulse_warehouse DAG: parses fast from the manifest, and `airflow dags test` builds serving."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from citypulse.environment import process_env
from citypulse.settings import Settings
from citypulse.warehouse.manifest import ensure_manifest
from tests.warehouse.lake_builder import write_batch_one

pytestmark = pytest.mark.slow

AIRFLOW = str(Path(sys.executable).parent / "airflow")

PARSE = """
import sys, time
started = time.monotonic()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags["citypulse_warehouse"]
print(round(time.monotonic() - started, 2), len(dag.tasks), bag.import_errors)
"""


def _airflow(env: dict[str, str], *args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [AIRFLOW, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    log = Path(env["CITYPULSE_HOME"]) / f"airflow-{args[0]}.log"
    log.write_text(done.stdout + "\n" + done.stderr)  # the whole output, for when the tail is not enough
    assert done.returncode == 0, (
        f"airflow {' '.join(args)} failed (full output in {log}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done


def test_dag_is_rendered_from_the_manifest_quickly(home: Settings, tmp_path: Path) -> None:
    ensure_manifest(home)
    script = tmp_path / "parse.py"
    script.write_text(PARSE, encoding="utf-8")
    dag_file = home.repo / "dags" / "citypulse_warehouse.py"
    done = subprocess.run(
        [sys.executable, str(script), str(dag_file)],
        env=process_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    _seconds, tasks, errors = done.stdout.strip().splitlines()[-1].split(" ", 2)
    assert errors == "{}"
    # seeds, the snapshot and every model became tasks (parse time is measured in bench/dag_parse.py)
    assert int(tasks) > 30


def test_airflow_dags_test_builds_serving(home: Settings) -> None:
    write_batch_one(home)
    ensure_manifest(home)
    # The committed AIRFLOW__CORE__PLUGINS_FOLDER (repo/plugins) makes Airflow import every module of the
    # citypulse package as a top-level module: plugins/citypulse/parsing/numbers.py then shadows the
    # standard library's `numbers` and every task fails. citypulse is pip-installed, so Airflow needs
    # no plugins folder; until config/citypulse.env changes, this test points it at an empty folder.
    no_plugins = home.home / "airflow-plugins"
    no_plugins.mkdir()
    env = process_env(home, AIRFLOW__CORE__PLUGINS_FOLDER=str(no_plugins))
    _airflow(env, "db", "migrate")
    _airflow(env, "pools", "set", "duckdb_writer", "1", "DuckDB allows one writer")
    _airflow(env, "dags", "test", "citypulse_warehouse", "2026-10-03", timeout=2400)
    assert home.serving_db.exists()
    with duckdb.connect(str(home.serving_db), read_only=True) as conn:
        posts = conn.execute("select count(*) from dim_post").fetchone()
        gx_rows = conn.execute(
            "select count(*) from ops_quality_results where check_source = 'gx'"
        ).fetchone()
    assert posts is not None and posts[0] == 6
    assert gx_rows is not None and gx_rows[0] > 0
