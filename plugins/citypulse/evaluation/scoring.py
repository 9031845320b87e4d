"""Score a run folder with the dbt evaluation models, against a scratch DuckDB of its own.

The scoring reads only the run folder's frozen ``config_*``/``source_*`` files, so a run never
depends on the live warehouse after its inputs were frozen, and the warehouse build (which holds
the build database) never competes with it for a lock.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import polars as pl

from citypulse.environment import process_env
from citypulse.errors import CityPulseError
from citypulse.evaluation.frozen import OUTPUTS, write_source
from citypulse.file_lock import exclusive
from citypulse.settings import Settings
from citypulse.warehouse.dbt_runner import DBT_THREADS, dbt_executable


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def score(settings: Settings, run_folder: Path, run_id: str) -> dict[str, Path]:
    """Run ``dbt build --select tag:eval_scoring`` on ``run_folder`` and export every output.

    Returns output name -> parquet path (written into ``run_folder``). The scratch database is
    removed afterwards; nothing of the warehouse is read or written.
    """
    # dbt's target folder and the scratch database keep fixed paths between runs so that dbt's
    # partial parsing survives (a changed profile path forces a full parse); run.py serialises runs.
    work = settings.home / ".cache" / "dbt-evaluation"
    work.mkdir(parents=True, exist_ok=True)
    # the fixed paths below are shared by every scoring of this data home: one at a time
    with exclusive(work / ".score.lock"):
        return _score(settings, work, run_folder, run_id)


def _score(settings: Settings, work: Path, run_folder: Path, run_id: str) -> dict[str, Path]:
    scratch = work / "scoring.duckdb"
    scratch.unlink(missing_ok=True)
    # The models read the run folder through a fixed link and the run id from a frozen file: a
    # run-specific path or id rendered into the models would make dbt parse them again each run.
    write_source(run_folder, "source_run", pl.DataFrame({"run_id": [run_id]}))
    current = work / "current-run"
    link = work / f".current-run-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(run_folder.resolve(), target_is_directory=True)
    os.replace(link, current)
    cmd = [
        dbt_executable(),
        "build",
        "--select",
        "tag:eval_scoring",
        # the scoring models and their tests are small queries, mostly independent of each other
        "--threads",
        DBT_THREADS,
        "--project-dir",
        str(settings.dbt_project),
        "--profiles-dir",
        str(settings.dbt_project),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
        "--no-use-colors",
        # nothing reads this invocation's manifest.json or run_results.json (the outputs are
        # exported below), and writing them is a tenth of a scoring (the partial-parse state is
        # written either way)
        "--no-write-json",
    ]
    env = process_env(
        settings,
        CITYPULSE_DBT_DB=str(scratch),
        CITYPULSE_DBT_TARGET="build",
        CITYPULSE_EVAL_RUN_DIR=str(current),
    )
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CityPulseError(
            f"evaluation scoring (dbt build --select tag:eval_scoring) failed for run {run_id}:\n"
            + _tail(done.stdout + done.stderr)
        )
    outputs: dict[str, Path] = {}
    with duckdb.connect(str(scratch), read_only=True) as con:
        for name, (model, order) in OUTPUTS.items():
            path = run_folder / f"{name}.parquet"
            con.execute(f"copy (select * from {model} order by {order}) to '{path}' (format parquet)")
            outputs[name] = path
    scratch.unlink(missing_ok=True)
    current.unlink(missing_ok=True)
    return outputs
