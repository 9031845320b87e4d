"""CITYPULSE_LAKE_URL: the lake's entity files go to any fsspec URL; the audit trail stays home."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import fsspec
import polars as pl
import pytest

from citypulse.lake.store import LAKE_URL_ENV, lake_store
from citypulse.landing.runner import land_inbox
from citypulse.quality.lake_batch import pending_ingests
from citypulse.settings import Settings
from tests.landing.conftest import read_zone

TOPICS = "话题,阅读量,讨论量\n#城市名片#,12.3亿,4567万\n#夜游江城#,8000,-\n"
MANIFEST = "observed_at: 2025-03-01T12:00:00+08:00\n"


def _drop(inbox: Path) -> None:
    folder = inbox / "weibo" / "topics"
    folder.mkdir(parents=True)
    (folder / "topics_2025-03-01.csv").write_text(TOPICS, encoding="utf-8")
    (folder / "_manifest.yaml").write_text(MANIFEST, encoding="utf-8")


def _landed(settings: Settings, inbox: Path) -> str:
    result = land_inbox(settings, inbox)
    files = result.to_json()["files"]
    assert [f["status"] for f in files] == ["landed"]
    assert result.quality is not None and set(result.quality["status"]) == {"pass"}
    ledger = read_zone(settings.ingests)
    return str(ledger["ingest_id"].item())


def _check_rows(frame: pl.DataFrame) -> None:
    rows = frame.sort("source_row").select("topic", "reads", "discussions").rows()
    assert rows == [("城市名片", 1_230_000_000, 45_670_000), ("夜游江城", 8000, None)]  # NULL, not 0


def test_default_is_the_data_home(home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LAKE_URL_ENV, raising=False)
    store = lake_store(home)
    assert store.local and Path(store.root) == home.lake


def test_file_url_outside_the_data_home(
    home: Settings, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "shared-lake"
    monkeypatch.setenv(LAKE_URL_ENV, elsewhere.as_uri())
    _drop(inbox)
    ingest = _landed(home, inbox)
    written = sorted(elsewhere.rglob("*.parquet"))
    assert [p.relative_to(elsewhere).as_posix() for p in written] == [
        f"topic_observations/platform=weibo/{ingest}.parquet"
    ]
    _check_rows(pl.read_parquet(written[0]))
    # nothing of the lake proper in the data home; the ledger and quality results are there
    assert not list((home.lake / "topic_observations").rglob("*.parquet"))
    assert len(list(home.ingests.glob("*.parquet"))) == 1
    assert len(list(home.quality.glob("*.parquet"))) == 1
    assert pending_ingests(home) == []


def test_memory_filesystem(home: Settings, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = f"memory://citypulse-{uuid.uuid4().hex}/lake"
    monkeypatch.setenv(LAKE_URL_ENV, root)
    _drop(inbox)
    ingest = _landed(home, inbox)
    fs = fsspec.filesystem("memory")
    files = lake_store(home).files("topic_observations")
    assert list(files) == [ingest]
    (path,) = files[ingest]
    assert path.endswith(f"/lake/topic_observations/platform=weibo/{ingest}.parquet")
    _check_rows(pl.read_parquet(io.BytesIO(fs.cat_file(path))))
    assert not list(home.lake.glob("topic_observations/**/*.parquet"))
    # a second run finds the ingest validated (its rows are read back from the memory lake)
    assert pending_ingests(home) == []
    assert land_inbox(home, inbox).to_json() == {"files": []}
    fs.rm(root, recursive=True)
