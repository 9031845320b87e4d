"""Frozen runs on a small hand-made serving.duckdb, for what the sample pipeline cannot show
(test_sample_runs.py covers runs of the real pipeline): month edges in local time, personal
accounts, observations past maturity, restatement after the warehouse changes, completeness and the
CLI's exit codes (real dbt, real DuckDB)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from citypulse.environment import process_env
from citypulse.errors import RefusedError
from citypulse.evaluation import registry
from citypulse.evaluation.frozen import run_dir
from citypulse.evaluation.methodology import DEFAULT_VERSION
from citypulse.evaluation.run import evaluate
from citypulse.settings import Settings

from . import serving_fixture

pytestmark = pytest.mark.slow
PERIOD = "2026-10"


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def build_eval_marts(settings: Settings, db: Path) -> None:
    """What the warehouse build does for the eval_* marts: dbt build of models/evaluation/marts."""
    dbt = str(Path(sys.executable).with_name("dbt"))
    work = db.parent / f"{db.stem}-dbt"
    done = subprocess.run(
        [
            dbt,
            "build",
            "--select",
            "tag:eval_marts",
            "--project-dir",
            str(settings.dbt_project),
            "--profiles-dir",
            str(settings.dbt_project),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--no-use-colors",
        ],
        env=process_env(settings, CITYPULSE_DBT_DB=str(db)),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def _mart(db: Path, name: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(f"select * from {name}").pl()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    home = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYPULSE_HOME", str(home))
        s = Settings.from_env().ensure()
        serving_fixture.build(s.serving_db)
        yield s


@pytest.fixture(scope="module")
def first_run(settings: Settings) -> str:
    return evaluate(settings, PERIOD)


def test_eval_input_follows_the_methodology(settings: Settings, first_run: str) -> None:
    frame = pl.read_parquet(run_dir(settings.evaluations, first_run) / "eval_input.parquet")
    cd = frame.filter(city_code="510100", platform="douyin").row(0, named=True)
    # p1 + p2 (p3 is 1 November in Shanghai; p8 is a personal account), metrics at +3 days not +10
    assert (cd["posts"], cd["views"], cd["peak_views"]) == (2, 400_000, 300_000)
    assert (cd["likes"], cd["comments"], cd["shares"], cd["engagements"]) == (14_000, 800, 600, 15_400)
    assert (cd["followers_start"], cd["followers_end"], cd["topic_reach"], cd["days"]) == (
        1_000_000,
        1_050_000,
        5_000,
        31,
    )
    yt = frame.filter(city_code="510100", platform="youtube").row(0, named=True)
    assert (yt["shares"], yt["engagements"]) == (None, 840)  # unknown shares are not a YouTube component
    xa = frame.filter(city_code="610100", platform="youtube").row(0, named=True)
    assert xa["has_account"] is False and xa["posts"] is None  # absent, not zero
    assert frame.filter(city_code="610100", platform="douyin")["topic_reach"].to_list() == [None]


def test_restatement_rebuild_and_marts(settings: Settings, first_run: str, tmp_path: Path) -> None:
    old_folder = run_dir(settings.evaluations, first_run)
    old_files = _digests(old_folder)
    marts_db = tmp_path / "marts.duckdb"
    build_eval_marts(settings, marts_db)
    old_rows = _mart(marts_db, f"eval_platform_score where run_id = '{first_run}'").drop("is_official")

    # the lake changes (late data) and the warehouse is rebuilt: the frozen run does not move
    serving_fixture.build(settings.serving_db, extra_views=1_000)
    build_eval_marts(settings, marts_db)
    assert _digests(old_folder) == old_files
    after = _mart(marts_db, f"eval_platform_score where run_id = '{first_run}'").drop("is_official")
    assert after.sort("platform", "city_code").equals(old_rows.sort("platform", "city_code"))
    assert evaluate(settings, PERIOD) == first_run  # still a no-op without --restate

    restated = evaluate(settings, PERIOD, restate=True)
    assert restated != first_run
    assert _digests(old_folder) == old_files  # nothing edited in place
    assert registry.official_run(settings.evaluations, PERIOD, DEFAULT_VERSION) == restated
    assert list((settings.evaluations / "_status").glob(f"{first_run}.1.parquet"))
    new_input = pl.read_parquet(run_dir(settings.evaluations, restated) / "eval_input.parquet")
    assert new_input.filter(city_code="510100", platform="douyin")["views"].to_list() == [402_000]
    new_manifest = pl.read_parquet(run_dir(settings.evaluations, restated) / "eval_run.parquet")
    assert new_manifest["restates_run_id"].to_list() == [first_run]

    build_eval_marts(settings, marts_db)
    runs = _mart(marts_db, "eval_run").sort("started_at")
    assert runs["run_id"].to_list() == [first_run, restated]
    assert runs["is_official"].to_list() == [False, True]
    assert runs["was_official_at_creation"].to_list() == [True, True]
    scores = _mart(marts_db, "eval_composite_score where is_official")
    assert set(scores["run_id"]) == {restated} and set(scores["period"]) == {PERIOD}


def test_an_export_with_nothing_to_report_counts_as_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An official account that posted nothing still exports (a Meta month file with no rows): the
    # ledger shows that export, so the month is complete although no observation row exists.
    monkeypatch.setenv("CITYPULSE_HOME", str(tmp_path / "home"))
    s = Settings.from_env().ensure()
    serving_fixture.build(s.serving_db, last_day=date(2026, 11, 5), empty_exports_on=date(2026, 11, 7))
    run = evaluate(s, PERIOD)
    m = pl.read_parquet(run_dir(s.evaluations, run) / "eval_run.parquet").row(0, named=True)
    assert m["allow_incomplete"] is False and m["status"] == "complete"


def test_incomplete_month_is_refused_naming_accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYPULSE_HOME", str(tmp_path / "home"))
    s = Settings.from_env().ensure()
    serving_fixture.build(s.serving_db, last_day=date(2026, 11, 5))
    with pytest.raises(RefusedError) as refused:
        evaluate(s, PERIOD)
    message = str(refused.value)
    assert (
        "2026-11-07" in message
        and "douyin account cd1 (成都文旅, city 510100): last data 2026-11-05" in message
    )
    assert "--allow-incomplete" in message
    assert not list(s.evaluations.glob("run_id=*")) and not list(s.evaluations.glob(".staging-*"))

    run = evaluate(s, PERIOD, allow_incomplete=True)
    m = pl.read_parquet(run_dir(s.evaluations, run) / "eval_run.parquet").row(0, named=True)
    assert m["allow_incomplete"] is True and m["status"] == "complete_with_missing_data"
    assert "zbyt" in m["missing_accounts"]


def test_cli_evaluate_prints_run_id_and_exit_code(tmp_path: Path) -> None:
    s = Settings.from_env(tmp_path / "home").ensure()
    serving_fixture.build(s.serving_db, last_day=date(2026, 11, 5))
    env = process_env(s)
    cli = str(Path(sys.executable).with_name("citypulse"))
    refused = subprocess.run([cli, "evaluate", "--period", PERIOD], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "incomplete" in refused.stderr and refused.stdout == ""
    ok = subprocess.run(
        [cli, "evaluate", "--period", PERIOD, "--allow-incomplete"], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == registry.official_run(s.evaluations, PERIOD, DEFAULT_VERSION)
    assert json.dumps(ok.stdout.strip())  # one line, the run id only
