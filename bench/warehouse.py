"""Measurement 4: ``citypulse build`` (dbt build + audit + publish) full at several sizes, then
incremental after one new month (~10% more post observations).

Each size gets its own data home and bench lake (``bench.scale_lake``). Full builds repeat with
``--full-refresh``; the incremental build repeats from a copy of the pre-increment build database,
so every incremental run does the same work. Builds cannot be interleaved with each other (each
changes the state the next one reads), so the sizes run one after another; ``load_average`` beside
each result says how busy the machine was.
"""

from __future__ import annotations

import os
import shutil
import statistics
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.bench_repo import bench_repo
from bench.machine import load_average
from bench.scale_lake import Batch, write_batch
from bench.workspace import fresh, settings_for, work_root
from citypulse.settings import Settings

BASE_MONTHS = (date(2026, 8, 1), date(2026, 9, 1))
NEW_MONTH = date(2026, 10, 1)
INCREMENT_SHARE = 0.10


@dataclass
class Warehouse:
    """The largest warehouse built: serving and evaluation measure against it."""

    settings: Settings
    post_observations: int
    cities: int


def _build(settings: Settings, full_refresh: bool) -> dict[str, Any]:
    from citypulse.warehouse.build import build
    from citypulse.warehouse.publish import publish

    started = time.perf_counter()
    outcome = build(settings, full_refresh=full_refresh)
    seconds = time.perf_counter() - started
    if outcome.serving_db is None:
        publish(settings)  # the later measurements need serving.duckdb; the failed audit is recorded
    failed = [f"{c.check_source}:{c.check_name}" for c in outcome.audit.failed] if outcome.audit else []
    return {
        "seconds": round(seconds, 2),
        "status": outcome.status,
        "timings": outcome.timings,
        "failed_checks": failed,
        "load_average": load_average(),
    }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def median_of(key: str) -> float | None:
        values = [r["timings"][key] for r in runs if key in r["timings"]]
        return round(statistics.median(values), 2) if values else None

    return {
        "runs": len(runs),
        "median_s": round(statistics.median(r["seconds"] for r in runs), 2),
        "median_dbt_build_s": median_of("dbt_build_s"),
        "median_publish_s": median_of("publish_s"),
        "statuses": sorted({r["status"] for r in runs}),
        "failed_checks": sorted({c for r in runs for c in r["failed_checks"]}),
        "detail": runs,
    }


def _lake_rows(settings: Settings) -> int:
    import duckdb

    with duckdb.connect() as con:
        row = con.execute(
            f"select count(*) from read_parquet('{settings.lake}/post_observations/*/*.parquet')"
        ).fetchone()
    return int(row[0]) if row else 0


def measure(sizes: list[int], cities: int, runs: int) -> tuple[dict[str, Any], Warehouse]:
    repo = bench_repo(cities)
    full: list[dict[str, Any]] = []
    settings: Settings | None = None
    for size in sizes:
        settings = settings_for(fresh(work_root() / f"warehouse-{size}"), repo)
        generated_at = time.perf_counter()
        for n, month in enumerate(BASE_MONTHS, start=1):
            write_batch(
                settings,
                repo / "dbt_project" / "seeds" / "cities.csv",
                Batch(month, size // len(BASE_MONTHS), f"m{n}"),
                n,
            )
        generate_s = time.perf_counter() - generated_at
        rows = _lake_rows(settings)
        builds = [_build(settings, full_refresh=True) for _ in range(runs)]
        full.append(
            {
                "post_observations": rows,
                "cities": cities,
                "lake_generate_s": round(generate_s, 2),
                **_summary(builds),
            }
        )
    assert settings is not None
    largest = full[-1]["post_observations"]

    before = settings.warehouse / "bench-before-increment.duckdb"
    shutil.copyfile(settings.build_db, before)
    write_batch(
        settings,
        repo / "dbt_project" / "seeds" / "cities.csv",
        Batch(NEW_MONTH, int(largest * INCREMENT_SHARE), "m3"),
        len(BASE_MONTHS) + 1,
    )
    added = _lake_rows(settings) - largest
    incremental_runs = []
    for _ in range(runs):
        shutil.copyfile(before, settings.build_db)
        os.sync()  # the restored copy's write-back is not the build's work (it slowed publish 3.7 -> 9 s)
        incremental_runs.append(_build(settings, full_refresh=False))
    before.unlink()
    incremental = {
        "post_observations_before": largest,
        "post_observations_added": added,
        **_summary(incremental_runs),
    }

    result: dict[str, Any] = {
        "full": full,
        "incremental": incremental,
        "ratio_incremental_vs_full": round(incremental["median_s"] / full[-1]["median_s"], 3),
        "target_ratio_incremental_vs_full_max": 0.25,
    }
    if len(full) > 1:
        small, big = full[0], full[-1]
        result["growth"] = {
            "size_ratio": round(big["post_observations"] / small["post_observations"], 2),
            "time_ratio": round(big["median_s"] / small["median_s"], 2),
            "dbt_time_ratio": round((big["median_dbt_build_s"] or 0) / (small["median_dbt_build_s"] or 1), 2),
            # seconds per extra million rows between the two sizes: the slope a linear extrapolation uses
            "seconds_per_million_rows": round(
                (big["median_s"] - small["median_s"])
                / ((big["post_observations"] - small["post_observations"]) / 1e6),
                2,
            ),
            "fixed_overhead_s_estimate": round(
                small["median_s"]
                - small["post_observations"]
                / 1e6
                * (big["median_s"] - small["median_s"])
                / ((big["post_observations"] - small["post_observations"]) / 1e6),
                2,
            ),
        }
        slope = result["growth"]["seconds_per_million_rows"]
        overhead = result["growth"]["fixed_overhead_s_estimate"]
        result["extrapolated_full_build_s_at_10M"] = round(overhead + 10 * slope, 1)
    return result, Warehouse(settings=settings, post_observations=largest + added, cities=cities)


def existing(size: int, cities: int) -> Warehouse:
    """The warehouse an earlier ``measure`` built for ``size`` (its data home is kept), to measure
    serving, publish and evaluation again without the builds."""
    home = work_root() / f"warehouse-{size}"
    settings = settings_for(home, bench_repo(cities))
    if not settings.serving_db.is_file():
        raise FileNotFoundError(f"no built bench warehouse at {home}: run the warehouse measurement first")
    return Warehouse(settings=settings, post_observations=_lake_rows(settings), cities=cities)


def serving_db(warehouse: Warehouse) -> Path:
    return warehouse.settings.serving_db
