"""Measurement 6: one monthly evaluation run over the big warehouse (the bench registry's cities × 7
platforms), after the build.

``evaluate(..., restate=True)`` is timed end to end (each run is a new official run of the same
period). Its two parts are timed separately as well: freezing the inputs from serving.duckdb (the
set work over the observations, in DuckDB) and the rest (dbt scoring of the frozen inputs in a dbt
subprocess, whose cost does not depend on the warehouse size). The rank intervals (numpy over the
run's frozen scores, draws × cities) are part of every run and are timed alone as well.
"""

from __future__ import annotations

import shutil
import time
from typing import Any

from bench.timing import Samples
from bench.warehouse import Warehouse

PERIOD = "2026-09"
TARGET_S = 10.0
ROBUSTNESS_TARGET_S = 3.0


def _freeze_inputs_only(warehouse: Warehouse) -> dict[str, int]:
    from citypulse.evaluation import inputs
    from citypulse.evaluation.methodology import DEFAULT_VERSION, default_directory, load_methodology
    from citypulse.evaluation.period import Period

    settings = warehouse.settings
    methodology = load_methodology(default_directory(settings), DEFAULT_VERSION)
    window = inputs.Window(
        Period.parse(PERIOD), int(methodology.setting("maturity_days")), methodology.setting("timezone")
    )
    folder = settings.home / ".bench-frozen-inputs"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    con = inputs.open_serving(settings.serving_db, methodology)
    try:
        inputs.prepare(con, window)
        counts = inputs.freeze_inputs(con, window, methodology, folder)
    finally:
        con.close()
        shutil.rmtree(folder, ignore_errors=True)
    return counts


def _robustness_only(warehouse: Warehouse, run_id: str) -> float:
    from citypulse.evaluation import robustness
    from citypulse.evaluation.frozen import run_dir
    from citypulse.evaluation.methodology import DEFAULT_VERSION, default_directory, load_methodology

    methodology = load_methodology(default_directory(warehouse.settings), DEFAULT_VERSION)
    started = time.perf_counter()
    robustness.compute(run_dir(warehouse.settings.evaluations, run_id), run_id, methodology)
    return time.perf_counter() - started


def measure(warehouse: Warehouse, runs: int) -> dict[str, Any]:
    from citypulse.evaluation.run import evaluate

    settings = warehouse.settings
    whole, freeze = Samples(), Samples()
    counts: dict[str, int] = {}
    run_ids = []
    error = None
    for _ in range(runs):
        started = time.perf_counter()
        counts = _freeze_inputs_only(warehouse)
        freeze.seconds.append(time.perf_counter() - started)
        started = time.perf_counter()
        try:
            run_ids.append(evaluate(settings, PERIOD, restate=True))
        except Exception as exc:  # noqa: BLE001 - a refused or failed run is a result to report, not a crash
            error = f"{type(exc).__name__}: {str(exc)[:500]}"
            break
        whole.seconds.append(time.perf_counter() - started)
    result: dict[str, Any] = {
        "period": PERIOD,
        "cities": warehouse.cities,
        "platforms": 7,
        "post_observations": warehouse.post_observations,
        "frozen_rows": counts,
        "freeze_inputs": freeze.summary(),
        "target_s_max": TARGET_S,
        "runs_ok": len(run_ids),
    }
    if whole.seconds:
        result["evaluate"] = whole.summary()
        intervals = Samples()
        intervals.seconds = [_robustness_only(warehouse, run_ids[-1]) for _ in range(runs)]
        result["robustness"] = intervals.summary()
        result["robustness_target_s_max"] = ROBUSTNESS_TARGET_S
        result["scoring_and_overhead_median_s"] = round(
            result["evaluate"]["median_s"] - result["freeze_inputs"]["median_s"], 2
        )
    if error:
        result["error"] = error
    return result
