"""`airflow dags test citypulse_land` lands the sample inbox through real Airflow, GX once per run."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest

from citypulse import airflow_embedded
from citypulse.quality.lake_batch import INGESTS_KEY, batch_id
from citypulse.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow


def _ledger(settings: Settings) -> pl.DataFrame:
    return pl.read_parquet(sorted(settings.ingests.glob("*.parquet")))


def test_land_dag_lands_the_sample_inbox_once(home: Settings) -> None:
    from citypulse.sample.generator import generate

    generate(home.inbox, cities=1, months=1, seed=7)
    for platform in home.inbox.iterdir():  # a few folders per platform keep `dags test` quick
        for extra in sorted(platform.iterdir())[3:]:
            shutil.rmtree(extra) if extra.is_dir() else extra.unlink()
    sample_files = [p for p in home.inbox.rglob("*") if p.is_file() and p.name != "_manifest.yaml"]
    assert sample_files

    env = airflow_embedded.prepare(home)  # the real plugins folder: plugins/.airflowignore keeps it clean
    first = airflow_embedded.run(home, ["dags", "test", "citypulse_land"], env=env)
    assert "success" in (first.stdout + first.stderr).lower()

    ledger = _ledger(home)
    # a zip archive has its own entry besides its members'
    assert ledger.filter(~pl.col("original_name").str.contains("!", literal=True)).height == len(sample_files)
    assert set(ledger["status"]) <= {"landed", "duplicate", "quarantined"}
    assert (ledger["status"] == "landed").sum() > 0
    assert any(Path(home.lake, "post_observations").rglob("*.parquet"))

    # the validate task ran GX once over the whole run: one batch file covering every ingest with rows
    (batch_file,) = home.quality.glob("*.parquet")
    covered = json.loads(pl.read_parquet_metadata(batch_file)[INGESTS_KEY])
    in_lake = sorted({p.stem for p in home.lake.glob("[!_]*/platform=*/*.parquet")})
    assert covered == in_lake and batch_file.stem == batch_id(in_lake)
    quality = pl.read_parquet(batch_file)
    assert set(quality["run_id"]) == {batch_file.stem}
    entities = {p.parent.parent.name for p in home.lake.glob("[!_]*/platform=*/*.parquet")}
    assert set(quality["suite"]) == {f"lake_{e}" for e in entities} and len(entities) >= 2

    # A second run finds nothing new: the ledger, the lake and the quality results stay as they were.
    lake_before = {p.relative_to(home.home): p.stat().st_mtime_ns for p in home.lake.rglob("*.parquet")}
    airflow_embedded.run(home, ["dags", "test", "citypulse_land"], env=env)
    assert {
        p.relative_to(home.home): p.stat().st_mtime_ns for p in home.lake.rglob("*.parquet")
    } == lake_before
    assert _ledger(home).height == ledger.height


def test_airflow_plugin_loading_shadows_no_stdlib_module() -> None:
    # Airflow's plugin loader executes every .py under the plugins folder as a top-level module named
    # by its stem (sys.modules[stem]): a sample/calendar.py would replace the stdlib `calendar` and
    # every task would die on `from calendar import timegm`. plugins/.airflowignore must keep citypulse
    # out of that scan (the package is imported normally).
    from airflow._shared.module_loading.file_discovery import find_path_from_directory

    loaded = [Path(p) for p in find_path_from_directory(REPO_ROOT / "plugins", ".airflowignore", "glob")]
    stems = {p.stem: p for p in loaded if p.suffix == ".py"}
    shadowing = {s: str(p) for s, p in stems.items() if s in sys.stdlib_module_names}
    assert shadowing == {}


def test_landing_modules_shadow_no_stdlib_module() -> None:
    # even without plugins/.airflowignore, the landing packages shadow nothing (parsing/numbers.py and
    # parsing/encodings.py were renamed numeric.py and decoding.py for that reason)
    owned = ("adapters", "landing", "parsing", "quality", "orchestration")
    stems = {p.stem for folder in owned for p in (REPO_ROOT / "plugins/citypulse" / folder).rglob("*.py")}
    assert stems & set(sys.stdlib_module_names) == set()
