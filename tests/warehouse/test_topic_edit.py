"""A post whose caption lost every topic loses its topic rows in an incremental build (issue 8:
int_post_topics appends the topics of restamped posts and deletes the rows of their earlier
versions), on real dbt + DuckDB: the incremental build equals a full refresh."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from citypulse.settings import Settings
from citypulse.warehouse.build import run_dbt_build
from tests.warehouse.conftest import home_settings, read_table
from tests.warehouse.lake_builder import write_batch_one, write_batch_two, write_topic_edit

pytestmark = pytest.mark.slow

TABLES = {"bridge_post_topic": "post_key, topic_key", "dim_topic": "topic_key", "dim_post": "post_key"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    with home_settings(tmp_path_factory, "topic-edit") as settings:
        yield settings


def _topics_of(settings: Settings, post_id: str) -> list[str]:
    frame = read_table(settings.build_db, "bridge_post_topic", "topic")
    keys = read_table(settings.build_db, "dim_post", "post_key")
    key = keys.loc[keys["post_id"] == post_id, "post_key"].item()
    return frame.loc[frame["post_key"] == key, "topic"].tolist()


def test_a_caption_that_lost_its_topics_loses_them_incrementally(settings: Settings) -> None:
    write_batch_one(settings)
    run_dbt_build(settings, full_refresh=True)
    write_batch_two(settings)
    run_dbt_build(settings)
    assert sorted(_topics_of(settings, "dy1")) == ["大足石刻", "重庆旅游"]

    write_topic_edit(settings)
    run_dbt_build(settings)  # incremental: dy1 restamped, now without a topic
    assert _topics_of(settings, "dy1") == []
    incremental = {table: read_table(settings.build_db, table, key) for table, key in TABLES.items()}

    run_dbt_build(settings, full_refresh=True)
    for table, key in TABLES.items():
        pd.testing.assert_frame_equal(
            incremental[table], read_table(settings.build_db, table, key), obj=table
        )
