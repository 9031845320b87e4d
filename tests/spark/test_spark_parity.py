"""The same dbt project on Spark (target ``spark``) and on DuckDB, over the same lake: equal marts,
green dbt tests on Spark, and evaluation scores equal to 1e-9 for the same frozen inputs.

Spark runs in its own venv (``make venv-spark``) through ``citypulse.warehouse.spark_session``; this
test runs in the pipeline venv and reads Spark's tables as the parquet files they are.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from citypulse.environment import process_env
from citypulse.evaluation.frozen import OUTPUTS
from citypulse.evaluation.scoring import score
from citypulse.settings import REPO_ROOT, Settings
from citypulse.warehouse.build import run_dbt_build
from tests.evaluation.worked_example import example_methodology, freeze_example, inputs
from tests.warehouse.lake_builder import write_batch_one, write_batch_two

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.timeout(3600)]

SPARK_PYTHON = REPO_ROOT / ".venv-spark" / "bin" / "python"
TOL = 1e-9
# Columns that record when a build ran (snapshot validity), not what the data says.
BUILD_TIME_COLUMNS = {"dim_account": ["account_version_key", "valid_from", "valid_to"]}
# Marts the spark target does not build: the caption signatures are a dbt Python model (MinHash) on
# DuckDB, which the monthly evaluation reads from serving.duckdb.
DUCKDB_ONLY = {"fct_post_caption_signature"}


def spark_dbt(settings: Settings, args: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    if not SPARK_PYTHON.exists():
        pytest.fail(f"{SPARK_PYTHON} is missing: run `make venv-spark` (make test-spark does)")
    env = process_env(settings, CITYPULSE_SPARK_DIR=str(settings.home / "spark"), **extra)
    done = subprocess.run(
        [str(SPARK_PYTHON), "-m", "citypulse.warehouse.spark_session", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=settings.home,
    )
    return done


def spark_table(settings: Settings, schema: str, table: str) -> pl.DataFrame | None:
    """The table's rows; None for a table without data files (Spark writes none for an empty seed)."""
    folder = settings.home / "spark" / "spark-warehouse" / f"{schema}.db" / table
    assert folder.is_dir(), f"Spark wrote no table {schema}.{table}"
    if not any(folder.glob("*.parquet")):
        return None
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        return con.sql(f"select * from read_parquet('{folder}/*.parquet')").pl()


def duckdb_table(db: Path, table: str) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        return con.sql(f"select * from main.{table}").pl()


def comparable(frame: pl.DataFrame, drop: list[str]) -> pl.DataFrame:
    """Same logical types on both sides (int widths, decimals), rows in one order."""
    frame = frame.drop([c for c in drop if c in frame.columns])
    casts = []
    for name, dtype in frame.schema.items():
        if dtype.is_integer():
            casts.append(pl.col(name).cast(pl.Int64))
        elif dtype.is_float() or dtype.is_decimal():
            casts.append(pl.col(name).cast(pl.Float64))
        else:
            casts.append(pl.col(name))
    frame = frame.select(casts)
    return frame.sort(frame.columns, nulls_last=True) if frame.columns else frame


@dataclass
class Builds:
    settings: Settings
    spark_test: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Builds]:
    """Batch one built, batch two landed and built again (incremental models, snapshot versions)."""
    mp = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("spark-parity") / "home"
    mp.setenv("CITYPULSE_HOME", str(home))
    mp.setenv("CITYPULSE_PII_KEY", "spark-parity-test-key-0123456789")
    settings = Settings.from_env().ensure()
    write_batch_one(settings)
    run_dbt_build(settings)
    first = spark_dbt(settings, ["build", "--exclude", "resource_type:test", "resource_type:unit_test"])
    assert first.returncode == 0, first.stdout[-6000:] + first.stderr[-3000:]
    write_batch_two(settings)
    run_dbt_build(settings)
    second = spark_dbt(settings, ["build", "--exclude", "resource_type:test", "resource_type:unit_test"])
    assert second.returncode == 0, second.stdout[-6000:] + second.stderr[-3000:]
    tested = spark_dbt(settings, ["test"])
    yield Builds(settings, tested)
    mp.undo()


def test_dbt_tests_are_green_on_spark(builds: Builds) -> None:
    done = builds.spark_test
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-3000:]
    assert " ERROR=0 " in done.stdout and "PASS=" in done.stdout


def test_marts_equal_duckdb(builds: Builds) -> None:
    with duckdb.connect(str(builds.settings.build_db), read_only=True) as con:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'main' order by 1"
            ).fetchall()
        ]
    assert {"dim_post", "dim_account", "fct_post_daily", "fct_account_daily", "dim_topic"} <= set(marts)
    leftovers = sorted(
        p.name for p in (builds.settings.home / "spark" / "spark-warehouse").glob("*.db/*__dbt_*")
    )
    assert not leftovers, f"scratch tables of the parquet rewrites left behind: {leftovers}"
    for mart in marts:
        if mart in DUCKDB_ONLY:
            continue
        drop = BUILD_TIME_COLUMNS.get(mart, [])
        expected = comparable(duckdb_table(builds.settings.build_db, mart), drop)
        on_spark = spark_table(builds.settings, "main", mart)
        if on_spark is None:
            assert expected.height == 0, f"{mart}: no rows on Spark, {expected.height} on DuckDB"
            continue
        actual = comparable(on_spark, drop)
        assert actual.columns == expected.columns, mart
        assert actual.height == expected.height, (
            f"{mart}: {actual.height} rows on Spark, {expected.height} on DuckDB"
        )
        assert_frame_equal(actual, expected, check_dtypes=False, rel_tol=TOL, abs_tol=TOL)


def test_pseudonyms_and_topics_are_the_same_values(builds: Builds) -> None:
    """The keyed hash (PIPL) and NFKC/topic extraction are engine-specific code: same outputs."""
    accounts = spark_table(builds.settings, "main", "dim_account")
    topics_table = spark_table(builds.settings, "main", "dim_topic")
    assert accounts is not None and topics_table is not None
    assert accounts.filter(pl.col("account_type") == "personal")["account_id"].str.starts_with("p_").all()
    topics = set(topics_table["topic"].to_list())
    assert "大足石刻" in topics and "＃大足石刻" not in topics


def test_evaluation_scores_equal_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYPULSE_HOME", str(tmp_path / "home"))
    settings = Settings.from_env().ensure()
    methodology = example_methodology(settings, settings.home / "config-example")
    folder = settings.evaluations / "run_id=example"
    themes = pl.DataFrame(
        {
            "city_code": ["A"] * 4,
            "platform": ["douyin"] * 4,
            "best_theme": ["B", "E", "S", "T"],
            "posts": [5, 20, 30, 5],
        }
    )
    freeze_example(folder, methodology, inputs(), themes)
    on_duckdb = {name: pl.read_parquet(path) for name, path in score(settings, folder, "example").items()}

    done = spark_dbt(
        settings,
        ["build", "--select", "tag:eval_scoring"],
        CITYPULSE_EVAL_RUN_DIR=str(folder),
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    for name, (model, _order) in OUTPUTS.items():
        expected = comparable(on_duckdb[name], [])
        on_spark = spark_table(settings, "main", model)
        assert on_spark is not None, model
        actual = comparable(on_spark, []).select(expected.columns)
        assert actual.height == expected.height > 0, name
        assert_frame_equal(actual, expected, check_dtypes=False, rel_tol=TOL, abs_tol=TOL)
