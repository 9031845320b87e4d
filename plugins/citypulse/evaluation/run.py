"""``evaluate``: freeze one monthly evaluation run (design.md "Runs"; index-methods §3.6).

Steps: validate the methodology config -> no-op if the period already has an official run (unless
restating) -> completeness check -> freeze config and inputs from serving.duckdb and score them with
the dbt evaluation models (while the content diagnostics are computed) -> write the manifest ->
rename the assembled folder into place -> on a restatement, append a status file that makes the
previous official run unofficial.
"""

from __future__ import annotations

import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from citypulse.diagnostics import run_files as diagnostics
from citypulse.errors import RefusedError
from citypulse.evaluation import completeness, frozen, inputs, registry, robustness, scoring
from citypulse.evaluation.methodology import (
    DEFAULT_VERSION,
    Methodology,
    default_directory,
    load_methodology,
)
from citypulse.evaluation.period import Period
from citypulse.file_lock import exclusive
from citypulse.progress import step
from citypulse.settings import Settings

MANIFEST_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "period": pl.String(),
    "methodology_version": pl.String(),
    "config_sha256": pl.String(),
    "input_cutoff": pl.Datetime("us", "UTC"),
    "git_commit": pl.String(),
    "started_at": pl.Datetime("us", "UTC"),
    "finished_at": pl.Datetime("us", "UTC"),
    "status": pl.String(),
    "is_official": pl.Boolean(),
    "allow_incomplete": pl.Boolean(),
    "missing_accounts": pl.String(),
    "restates_run_id": pl.String(),
    "panel_cities": pl.Int64(),
}


def git_commit(repo: Path) -> str:
    """The code version of the run ('unknown' outside a git checkout or before the first commit)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    head = done.stdout.strip()
    if done.returncode != 0 or not head:
        return "unknown"
    dirty = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain", "--", "dbt_project", "plugins"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    ).stdout.strip()
    return f"{head}-dirty" if dirty else head


def new_run_id(period: Period, started_at: datetime) -> str:
    return f"{period}_{started_at:%Y%m%dT%H%M%SZ}_{uuid.uuid4().hex[:8]}"


def _previous_composite(evaluations: Path, period: Period, version: str) -> pl.DataFrame | None:
    previous = registry.official_run(evaluations, str(period.previous()), version)
    if previous is None:
        return None
    return pl.read_parquet(frozen.run_dir(evaluations, previous) / "eval_composite_score.parquet").select(
        "run_id", "composite", "city_code", "rank"
    )


def evaluate(
    settings: Settings,
    period: str,
    restate: bool = False,
    allow_incomplete: bool = False,
    methodology_dir: Path | None = None,
    methodology_version: str = DEFAULT_VERSION,
) -> str:
    """Freeze the evaluation run of ``period`` (YYYY-MM) and return its run_id.

    A period that already has an official run returns that run_id unchanged (no-op) unless
    ``restate``; a restatement becomes the official run and the old one is marked unofficial.
    Raises RefusedError naming the accounts without data through month end + maturity days,
    unless ``allow_incomplete`` (then recorded in the manifest).
    """
    the_period = Period.parse(period)
    methodology: Methodology = load_methodology(
        methodology_dir or default_directory(settings), methodology_version
    )
    evaluations = settings.evaluations
    evaluations.mkdir(parents=True, exist_ok=True)
    # two concurrent runs of one period must not both become official: one evaluation at a time
    with exclusive(evaluations / ".evaluate.lock"):
        return _evaluate(settings, the_period, methodology, restate, allow_incomplete)


def _diagnose(
    settings: Settings, methodology: Methodology, window: inputs.Window
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    con = inputs.open_serving(settings.serving_db, methodology)
    try:
        inputs.prepare(con, window)
        return diagnostics.compute(con, window.params())
    finally:
        con.close()


def _evaluate(
    settings: Settings, the_period: Period, methodology: Methodology, restate: bool, allow_incomplete: bool
) -> str:
    evaluations = settings.evaluations
    current = registry.official_run(evaluations, str(the_period), methodology.version)
    if current and not restate:
        step(f"{the_period} already has official run {current}")
        return current

    started_at = datetime.now(UTC)
    run_id = new_run_id(the_period, started_at)
    window = inputs.Window(
        the_period, int(methodology.setting("maturity_days")), methodology.setting("timezone")
    )
    staging = evaluations / f".staging-{run_id}"
    staging.mkdir(parents=True)
    try:
        step("checking completeness and freezing inputs from serving.duckdb")
        con = inputs.open_serving(settings.serving_db, methodology)
        try:
            inputs.prepare(con, window)
            missing = completeness.missing_accounts(con, window)
            if missing.height and not allow_incomplete:
                raise RefusedError(
                    completeness.describe(missing, window)
                    + "\n(use --allow-incomplete to evaluate anyway; the run records it)"
                )
            # the content diagnostics read serving.duckdb in a session of their own, in a thread
            # (DuckDB and numpy release the GIL), beside the freezing and then the scoring, which
            # reads only the frozen files in a dbt process of its own
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="diagnostics") as pool:
                step("computing the content diagnostics while the inputs are frozen and scored")
                diagnosing = pool.submit(_diagnose, settings, methodology, window)
                methodology.freeze(staging)
                counts = inputs.freeze_inputs(con, window, methodology, staging)
                frozen.write_source(
                    staging,
                    "source_previous_composite",
                    _previous_composite(evaluations, the_period, methodology.version),
                )
                step(f"scoring run {run_id} with the dbt evaluation models")
                scoring.score(settings, staging, run_id)
                step("computing the rank intervals under perturbed weights")
                robustness.write(staging, run_id, methodology)
                diagnosed = diagnosing.result()
        finally:
            con.close()
        diagnostics.write(staging, run_id, *diagnosed)
        manifest = pl.DataFrame(
            {
                "run_id": [run_id],
                "period": [str(the_period)],
                "methodology_version": [methodology.version],
                "config_sha256": [methodology.sha256],
                "input_cutoff": [window.period.input_cutoff(window.maturity_days, window.tz)],
                "git_commit": [git_commit(settings.repo)],
                "started_at": [started_at],
                "finished_at": [datetime.now(UTC)],
                "status": ["complete" if missing.is_empty() else "complete_with_missing_data"],
                "is_official": [True],
                "allow_incomplete": [allow_incomplete],
                "missing_accounts": [None if missing.is_empty() else completeness.describe(missing, window)],
                "restates_run_id": [current],
                "panel_cities": [
                    counts["source_input"]
                    and pl.read_parquet(staging / "source_input.parquet")["city_code"].n_unique()
                ],
            },
            schema=MANIFEST_SCHEMA,
        )
        manifest.write_parquet(staging / "eval_run.parquet")
        # one rename publishes the whole run; a crash before it leaves only a .staging folder
        staging.rename(frozen.run_dir(evaluations, run_id))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if current:
        registry.mark_unofficial(evaluations, current, f"restated by {run_id}")
    return run_id
