"""The benchmark's smoke mode runs every measurement end to end and records numbers (not targets:
timings on a shared machine are not assertions)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from citypulse.settings import REPO_ROOT


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("bench")
    out = work / "smoke.json"
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("CITYPULSE_HOME", "CITYPULSE_REPO")}
    env["CITYPULSE_BENCH_WORK"] = str(work / "work")
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--smoke", "--out", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert out.is_file(), done.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    result["_returncode"] = done.returncode
    result["_stderr"] = done.stderr[-3000:]
    return result


def test_every_measurement_ran(smoke: dict[str, Any]) -> None:
    m = smoke["measurements"]
    assert set(m) == {
        "landing_csv",
        "landing_xlsx",
        "memory",
        "warehouse",
        "serving",
        "publish",
        "evaluation",
        "dag_parse",
        "diagnostics",
    }
    failed = {name: r.get("error") for name, r in m.items() if not r.get("ok")}
    assert not failed, failed
    assert smoke["_returncode"] == 0, smoke["_stderr"]


def test_machine_is_recorded(smoke: dict[str, Any]) -> None:
    machine = smoke["machine"]
    assert machine["cores"] >= 1 and machine["memory_bytes"] > 0 and machine["cpu_model"]
    assert machine["python"].startswith("3.") and machine["packages"]["duckdb"]
    assert len(machine["load_average_at_start"]) == 3
    for r in smoke["measurements"].values():
        assert len(r["load_average_before"]) == 3 and r["elapsed_s"] > 0


def test_landing_has_contenders_side_by_side(smoke: dict[str, Any]) -> None:
    csv = smoke["measurements"]["landing_csv"]
    assert set(csv["contenders"]) == {"citypulse_land", "duckdb_scan", "pandas_usual"}
    for summary in csv["contenders"].values():
        assert summary["runs"] >= 3 and len(summary["seconds"]) == summary["runs"]
        assert all(_positive(s) for s in summary["seconds"])
    assert csv["rows_landed"] == csv["rows_in"] > 0
    assert _positive(csv["ratio_land_vs_baseline"]) and _positive(csv["speedup_vs_pandas"])
    xlsx = smoke["measurements"]["landing_xlsx"]
    assert set(xlsx["contenders"]) == {"citypulse_land", "fastexcel_read"} and xlsx["rows_landed"] > 0


def test_memory_warehouse_serving_evaluation_parse_produced_numbers(smoke: dict[str, Any]) -> None:
    m = smoke["measurements"]
    # bytes, not KiB: a landing process that imported polars and GX holds well over 50 MiB
    assert all(p["peak_rss_bytes"] > 50 * 1024**2 for p in m["memory"]["points"])

    w = m["warehouse"]
    assert w["full"] and all(_positive(f["median_s"]) and f["post_observations"] > 0 for f in w["full"])
    assert w["incremental"]["post_observations_added"] > 0 and _positive(w["ratio_incremental_vs_full"])
    # a build whose audit refused it was never published: its time is not the product's
    builds = [*w["full"], w["incremental"]]
    assert all(set(b["statuses"]) == {"published"} for b in builds), [b["failed_checks"] for b in builds]

    h = m["diagnostics"]["homogeneity"]
    assert h["runs"] >= 3 and all(_positive(x) for x in h["seconds"])

    s = m["serving"]
    assert s["charts_total"] > 0 and s["charts_measured"] == s["charts_total"], s["errors"]
    assert all(_positive(c["p95_s"]) and c["runs"] >= 3 for c in s["charts"].values())

    p = m["publish"]
    assert p["published_tables"] > 0 and p["build_bytes"] > 0
    assert all(_positive(c["median_s"]) and c["runs"] >= 3 for c in p["contenders"].values())
    # the marts alone: smaller than the build, which keeps staging, intermediate and the seeds
    assert p["contenders"]["marts_selected"]["file_bytes"] < p["build_bytes"]

    e = m["evaluation"]
    assert e["runs_ok"] >= 1 and _positive(e["evaluate"]["median_s"]) and e["frozen_rows"]["source_input"] > 0
    assert _positive(e["robustness"]["median_s"])  # the rank intervals, timed alone

    d = m["dag_parse"]
    assert d["files"] and not d["import_errors"]
    assert all(_positive(f["median_s"]) and f["dags"] >= 1 for f in d["files"].values())


def test_readme_table_renders_from_the_result(smoke: dict[str, Any], tmp_path: Path) -> None:
    from bench.report import END, START, update_readme

    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{START}\nold\n{END}\ntail\n", encoding="utf-8")
    update_readme(readme, smoke, "bench/results/x.json")
    text = readme.read_text(encoding="utf-8")
    assert "old" not in text and text.endswith("tail\n")
    assert text.count("\n| ") >= 10  # header + one row per measured item
