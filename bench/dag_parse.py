"""Measurement 7: how long each DAG file takes to parse, as Airflow's DAG processor parses it.

One child process per round imports Airflow (as the DAG processor's parent has), then forks one
child per DAG file that builds a ``DagBag`` of just that file and reports ``dagbag_stats``' duration
and the DAG count: each file is parsed in a process that has not yet imported what the file imports
(Cosmos, the dbt project's manifest), like the scheduler's per-file processes. The full dbt project
is the committed one (its manifest renders the warehouse DAG's task groups).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.timing import Samples, run_child
from bench.workspace import work_root
from citypulse.environment import process_env
from citypulse.settings import REPO_ROOT, Settings

TARGET_S = 2.0

_CHILD = r"""
import json, os, sys, time
files = sys.argv[1:]
import airflow  # noqa: F401 - the DAG processor's parent has Airflow imported
from airflow.dag_processing.dagbag import DagBag
out = {}
for path in files:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            started = time.perf_counter()
            bag = DagBag(dag_folder=path, safe_mode=False)
            wall = time.perf_counter() - started
            stats = [{"file": s.file, "duration_s": s.duration.total_seconds()
                      if hasattr(s.duration, "total_seconds") else float(s.duration), "dag_num": s.dag_num}
                     for s in bag.dagbag_stats]
            report = {"wall_s": wall, "stats": stats,
                      "errors": {k: str(v)[:300] for k, v in bag.import_errors.items()}}
        except BaseException as exc:  # the parent reports it; a forked child must never raise past here
            report = {"failed": repr(exc)[:500]}
        os.write(write, json.dumps(report).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    out[path] = json.loads(b"".join(chunks) or b"{}")
print(json.dumps(out))
"""


def measure(runs: int) -> dict[str, Any]:
    files = sorted(str(p) for p in (REPO_ROOT / "dags").glob("*.py") if not p.name.startswith("_"))
    home = work_root() / "dag-parse-home"
    settings = Settings(home=home)
    env = process_env(settings, CITYPULSE_HOME=str(home), CITYPULSE_REPO=str(REPO_ROOT))
    (home / "airflow").mkdir(parents=True, exist_ok=True)
    samples = {Path(f).name: Samples() for f in files}
    dags: dict[str, int] = {}
    errors: dict[str, dict[str, str]] = {}
    for round_no in range(runs):
        shift = round_no % len(files)
        order = files[shift:] + files[:shift]
        child = run_child([sys.executable, "-c", _CHILD, *order], env=env, cwd=str(REPO_ROOT))
        if child.returncode != 0:
            raise RuntimeError(f"DAG parse child failed: {child.stderr[-2000:]}")
        parsed = json.loads(child.stdout.strip().splitlines()[-1])
        for path, report in parsed.items():
            name = Path(path).name
            duration = sum(s["duration_s"] for s in report.get("stats", [])) or report.get("wall_s", 0.0)
            samples[name].seconds.append(duration)
            dags[name] = sum(s["dag_num"] for s in report.get("stats", []))
            if "failed" in report:
                raise RuntimeError(f"parsing {name} failed: {report['failed']}")
            if report.get("errors"):
                errors[name] = report["errors"]
    per_file = {name: {**s.summary(), "dags": dags.get(name, 0)} for name, s in samples.items()}
    return {
        "files": per_file,
        "import_errors": errors,
        "target_s_max": TARGET_S,
        "slowest_file": max(per_file, key=lambda n: per_file[n]["median_s"]),
        "slowest_median_s": max(v["median_s"] for v in per_file.values()),
        "files_over_target": sorted(n for n, v in per_file.items() if v["median_s"] > TARGET_S),
    }
