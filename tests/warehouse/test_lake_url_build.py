"""dbt reads the lake where landing wrote it (CITYPULSE_LAKE_URL) and the ledgers from the data home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citypulse.lake.store import LAKE_URL_ENV
from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from citypulse.warehouse.dbt_runner import run_dbt

TOPICS = "话题,阅读量,讨论量\n#城市名片#,12.3亿,4567万\n#夜游江城#,8000,-\n"


def test_staging_reads_a_lake_outside_the_data_home(
    home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "shared-lake"
    monkeypatch.setenv(LAKE_URL_ENV, elsewhere.as_uri())
    folder = home.inbox / "weibo" / "topics"
    folder.mkdir(parents=True)
    (folder / "topics_2025-03-01.csv").write_text(TOPICS, encoding="utf-8")
    (folder / "_manifest.yaml").write_text("observed_at: 2025-03-01T12:00:00+08:00\n", encoding="utf-8")
    assert [f["status"] for f in land_inbox(home, home.inbox).to_json()["files"]] == ["landed"]
    assert not list(home.lake.glob("topic_observations/**/*.parquet"))

    built = run_dbt(home, ["run", "--select", "+stg_topic_observations"])
    assert built.ok, built.output_tail
    shown = run_dbt(
        home,
        ["show", "--select", "stg_topic_observations", "--output", "json", "--log-format", "json"],
    )
    assert shown.ok, shown.output_tail
    preview = next(
        json.loads(line)["data"]["preview"]
        for line in shown.output_tail.splitlines()
        if line.startswith("{") and "preview" in json.loads(line).get("data", {})
    )
    rows = sorted((r["topic"], r["reads"], r["discussions"]) for r in json.loads(preview))
    # the entity rows came from the URL, their ingest (latest-wins) from the ledger at home
    assert rows == [("城市名片", 1_230_000_000, 45_670_000), ("夜游江城", 8000, None)]
