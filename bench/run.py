"""``python -m bench.run [--smoke] [--only NAME ...]``: the CityPulse benchmarks.

Full mode writes ``bench/results/<date>.json`` and the results table in ``bench/README.md``; smoke
mode runs every measurement at tiny scale (so the code never rots) and writes its JSON under the
git-ignored ``bench/results/tmp/``. Method and caveats: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import machine
from bench.workspace import work_root
from citypulse.settings import REPO_ROOT

MEASUREMENTS = (
    "landing",
    "memory",
    "warehouse",
    "serving",
    "publish",
    "evaluation",
    "dag_parse",
    "diagnostics",
)
RESULTS = REPO_ROOT / "bench" / "results"
README = REPO_ROOT / "bench" / "README.md"


@dataclass(frozen=True)
class Scale:
    landing_rows: int  # rows of the weibo-crawler CSV (the Douyin xlsx gets min(rows, 100000))
    landing_runs: int
    memory_rows: list[int]  # one peak-RSS point per CSV size (citypulse sample --rows)
    memory_inflate_bytes: int  # > 0: also a CSV inflated to this size (the issue's ~1 GB point)
    warehouse_sizes: list[int]  # post observations of the full builds (the last one feeds serving/evaluation)
    warehouse_runs: int
    cities: int
    serving_runs: int
    evaluation_runs: int
    dag_runs: int
    notes: list[str] = field(default_factory=list)


SMOKE = Scale(
    landing_rows=2_000,
    landing_runs=3,
    memory_rows=[2_000],
    memory_inflate_bytes=0,
    warehouse_sizes=[20_000],
    warehouse_runs=1,
    cities=14,
    serving_runs=3,
    evaluation_runs=1,
    dag_runs=3,
    notes=["smoke: tiny scale; each dbt-bound step (build, evaluation) runs once"],
)

# The sizes: a 1,000,000-row CSV (and its 100,000-row xlsx) for landing, a ~1 GB CSV for memory.
FULL = Scale(
    landing_rows=1_000_000,
    landing_runs=5,
    memory_rows=[50_000, 1_000_000],
    memory_inflate_bytes=1_000_000_000,
    warehouse_sizes=[1_000_000, 10_000_000],
    warehouse_runs=5,  # the "medians of at least five runs", builds included (~30 min)
    cities=138,
    serving_runs=5,
    evaluation_runs=5,
    dag_runs=5,
)


def _timed(name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    print(f"[bench] {name} …", file=sys.stderr, flush=True)
    load_before = machine.load_average()
    started = time.perf_counter()
    try:
        result = fn()
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 - one failed measurement must not hide the others
        result = {
            "ok": False,
            "error": f"{type(exc).__name__}: {exc}"[:2000],
            "traceback": traceback.format_exc()[-4000:],
        }
    result["elapsed_s"] = round(time.perf_counter() - started, 2)
    result["load_average_before"] = load_before
    result["load_average_after"] = machine.load_average()
    print(
        f"[bench] {name}: {'ok' if result['ok'] else 'FAILED'} in {result['elapsed_s']} s",
        file=sys.stderr,
        flush=True,
    )
    return result


def run(scale: Scale, only: set[str], mode: str, reuse_warehouse: bool = False) -> dict[str, Any]:
    from bench import dag_parse, diagnostics, evaluation, landing, memory, publish, serving, warehouse
    from bench.exports import inflated_csv, sample_exports

    started = time.perf_counter()
    out: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "machine": machine.describe(),
        "scale": asdict(scale),
        "measurements": {},
    }
    results = out["measurements"]
    if "landing" in only:
        exports = sample_exports(scale.landing_rows)
        results["landing_csv"] = _timed(
            "landing (csv)", lambda: landing.measure(exports.csv, scale.landing_runs, "csv")
        )
        results["landing_xlsx"] = _timed(
            "landing (xlsx)", lambda: landing.measure(exports.xlsx, scale.landing_runs, "xlsx")
        )
    if "memory" in only:

        def memory_points() -> dict[str, Any]:
            files = [sample_exports(rows).csv for rows in scale.memory_rows]
            if scale.memory_inflate_bytes:
                files.append(inflated_csv(files[-1], scale.memory_inflate_bytes))
            return memory.measure(files)

        results["memory"] = _timed("memory", memory_points)
    built: list[warehouse.Warehouse] = []
    if reuse_warehouse and only & {"serving", "publish", "evaluation"}:
        built.append(warehouse.existing(scale.warehouse_sizes[-1], scale.cities))
    elif only & {"warehouse", "serving", "publish", "evaluation"}:

        def build_all() -> dict[str, Any]:
            result, big = warehouse.measure(scale.warehouse_sizes, scale.cities, scale.warehouse_runs)
            built.append(big)
            return result

        results["warehouse"] = _timed("warehouse", build_all)
    if "serving" in only and built:
        results["serving"] = _timed(
            "serving", lambda: serving.measure(built[0].settings.serving_db, scale.serving_runs)
        )
    if "publish" in only and built:
        # as many rounds as the chart queries: both read the big warehouse of the last build
        results["publish"] = _timed(
            "publish time", lambda: publish.measure(built[0].settings.build_db, scale.serving_runs)
        )
    if "evaluation" in only and built:
        results["evaluation"] = _timed(
            "evaluation", lambda: evaluation.measure(built[0], scale.evaluation_runs)
        )
    if "dag_parse" in only:
        results["dag_parse"] = _timed("dag parse", lambda: dag_parse.measure(scale.dag_runs))
    if "diagnostics" in only:
        posts = 2_000 if mode == "smoke" else diagnostics.POSTS
        results["diagnostics"] = _timed("homogeneity", lambda: diagnostics.measure(posts, scale.dag_runs))
    out["machine"]["load_average_at_end"] = machine.load_average()
    out["total_s"] = round(time.perf_counter() - started, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny scale, a few runs (make bench-smoke)")
    parser.add_argument("--only", action="append", choices=MEASUREMENTS, help="run only these (repeatable)")
    parser.add_argument("--out", type=Path, default=None, help="where to write the JSON result")
    parser.add_argument(
        "--no-readme", action="store_true", help="do not rewrite the table in bench/README.md"
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the measurements of an existing result file that this run does not repeat",
    )
    parser.add_argument(
        "--warehouse-size",
        type=int,
        action="append",
        help="post observations of a full build (repeatable; the last feeds serving/evaluation)",
    )
    parser.add_argument("--warehouse-runs", type=int, help="full builds per size (median over them)")
    parser.add_argument(
        "--reuse-warehouse",
        action="store_true",
        help="measure serving/publish/evaluation on the warehouse an earlier run built, without building",
    )
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "full"
    scale = SMOKE if args.smoke else FULL
    if args.warehouse_size:
        scale = replace(scale, warehouse_sizes=args.warehouse_size)
    if args.warehouse_runs:
        scale = replace(scale, warehouse_runs=args.warehouse_runs)
    result = run(scale, set(args.only or MEASUREMENTS), mode, args.reuse_warehouse)
    if args.out is not None:
        target = args.out
    elif args.smoke:
        target = work_root() / f"smoke-{result['date']}.json"
    else:
        target = RESULTS / f"{result['date']}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    if args.merge and target.is_file():
        earlier = json.loads(target.read_text(encoding="utf-8"))
        kept = {k: v for k, v in earlier["measurements"].items() if k not in result["measurements"]}
        # each measurement carries its own elapsed time and load averages; say which run it came from
        for measurement in kept.values():
            measurement.setdefault("measured_in_run_started_at", earlier["started_at"])
        result["measurements"] = {**kept, **result["measurements"]}
        result["total_s"] = round(result["total_s"] + sum(m.get("elapsed_s", 0) for m in kept.values()), 1)
    target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not args.smoke and not args.no_readme and (args.out is None or args.merge):
        from bench.report import update_readme

        update_readme(README, result, target.resolve().relative_to(REPO_ROOT).as_posix())
    print(str(target))
    failed = [name for name, m in result["measurements"].items() if not m.get("ok")]
    if failed:
        print(f"[bench] failed measurements: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
