"""Editing the keyword seeds re-matches every post without a full refresh (the keyword
models match only candidate posts), on real dbt + DuckDB: after an edit, an incremental build
equals a full refresh, and the edit changed the answer."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

from bench.bench_repo import linked_checkout
from citypulse.settings import Settings
from citypulse.warehouse.build import run_dbt_build
from tests.warehouse.conftest import read_table
from tests.warehouse.lake_builder import write_batch_one, write_batch_two

pytestmark = pytest.mark.slow

MATCHED = ("post_key", "city_code", "city_source", "best_theme", "focus_theme")


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    root = tmp_path_factory.mktemp("keyword-edit")
    mp = pytest.MonkeyPatch()
    mp.setenv("CITYPULSE_HOME", str(root / "home"))
    mp.setenv("CITYPULSE_REPO", str(linked_checkout(root / "repo")))
    mp.delenv("CITYPULSE_PII_KEY", raising=False)
    yield Settings.from_env().ensure()
    mp.undo()


def _matched(settings: Settings) -> pd.DataFrame:
    return read_table(settings.build_db, "dim_post", "post_key")[list(MATCHED)]


def _edit(seed: Path, keep: Callable[[list[str]], bool], extra: list[list[str]]) -> None:
    with seed.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with seed.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *[r for r in rows[1:] if keep(r)], *extra])


def test_keyword_edit_rematches_every_post_incrementally(settings: Settings) -> None:
    write_batch_one(settings)
    run_dbt_build(settings, full_refresh=True)
    write_batch_two(settings)
    run_dbt_build(settings)
    before = _matched(settings)
    assert before["city_code"].notna().any() and before["best_theme"].notna().any()

    seeds = settings.repo / "dbt_project" / "seeds"
    # Dazu's keywords gone: its posts lose the city their content named; 石刻 becomes a BGM word
    _edit(seeds / "city_keywords.csv", lambda r: r[0] != "500111", [])
    _edit(seeds / "theme_keywords.csv", lambda r: True, [["BEST", "BGM", "石刻"]])
    run_dbt_build(settings)  # incremental: no lake file changed, only the seeds
    incremental = _matched(settings)

    run_dbt_build(settings, full_refresh=True)
    full = _matched(settings)
    assert not incremental.equals(before), "the edit changed nothing: the test would prove nothing"
    pd.testing.assert_frame_equal(incremental, full)
