"""GX runs once per landing batch over the rows read back from the lake, recorded per batch."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from citypulse.landing.runner import land_inbox
from citypulse.quality.lake_batch import (
    INGESTS_KEY,
    batch_id,
    pending_ingests,
    validate_ingests,
    validated_ingests,
)
from citypulse.quality.sampling import MAX_ROWS_ENV
from citypulse.settings import Settings
from tests.landing.conftest import read_zone

TOPICS = "话题,阅读量,讨论量\n#城市名片#,12.3亿,4567万\n#夜游江城#,{reads},-\n"
HOT = "话题,阅读量,排名\n#城市名片#,1000,{rank}\n"


def _drop(inbox: Path, relative: str, text: str) -> None:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _landed_ids(settings: Settings) -> list[str]:
    ledger = read_zone(settings.ingests)
    return sorted(ledger.filter(pl.col("status") == "landed")["ingest_id"].to_list())


def test_one_batch_file_covers_every_ingest_of_the_run(home: Settings, inbox: Path) -> None:
    for i in range(3):
        _drop(inbox, f"weibo/acct{i}/topics_2025-03-0{i + 1}.csv", TOPICS.format(reads=8000 + i))
    result = land_inbox(home, inbox)
    ids = _landed_ids(home)
    assert len(ids) == 3
    files = sorted(home.quality.glob("*.parquet"))
    assert [f.stem for f in files] == [batch_id(ids)]
    assert json.loads(pl.read_parquet_metadata(files[0])[INGESTS_KEY]) == ids
    quality = pl.read_parquet(files[0])
    assert result.quality is not None and result.quality.equals(quality)
    # one validation of the topic suite over the 6 rows of the 3 files, not one per file
    assert quality["suite"].unique().to_list() == ["lake_topic_observations"]
    assert quality.height == quality["check_name"].n_unique()
    assert set(quality["run_id"]) == {batch_id(ids)} and set(quality["status"]) == {"pass"}
    assert pending_ingests(home) == [] and validated_ingests(home) == set(ids)

    # the next run with one new file validates only that file, in a batch of its own
    _drop(inbox, "weibo/acct9/topics_2025-03-09.csv", TOPICS.format(reads=9))
    land_inbox(home, inbox)
    new = sorted(set(_landed_ids(home)) - set(ids))
    assert sorted(f.stem for f in home.quality.glob("*.parquet")) == sorted([batch_id(ids), batch_id(new)])


def test_revalidating_the_same_ingests_writes_nothing(home: Settings, inbox: Path) -> None:
    _drop(inbox, "weibo/acct/topics_2025-03-01.csv", TOPICS.format(reads=1))
    land_inbox(home, inbox)
    (path,) = home.quality.glob("*.parquet")
    before = path.read_bytes()
    again = validate_ingests(home, _landed_ids(home) + ["no-such-ingest"])
    assert path.read_bytes() == before and list(home.quality.glob("*.parquet")) == [path]
    assert again.equals(pl.read_parquet(path))
    assert validate_ingests(home, []).height == 0


def test_a_crash_before_validation_is_caught_up_by_the_next_run(home: Settings, inbox: Path) -> None:
    _drop(inbox, "weibo/acct/topics_2025-03-01.csv", TOPICS.format(reads=1))
    land_inbox(home, inbox)
    (path,) = home.quality.glob("*.parquet")
    reference = pl.read_parquet(path).drop("checked_at")
    path.unlink()  # as if the process died after the ledger entry, before the GX results
    assert pending_ingests(home) == _landed_ids(home)
    rerun = land_inbox(home, inbox)
    assert rerun.to_json() == {"files": []}  # nothing new to land ...
    assert pl.read_parquet(path).drop("checked_at").equals(reference)  # ... but the batch is validated
    assert pending_ingests(home) == []


def test_failures_name_the_ingest_that_holds_the_rows(home: Settings, inbox: Path) -> None:
    # hot_rank 0 is a bad rank (the suite wants ≥ 1) but not a refused row: GX must flag it
    from citypulse.adapters.base import Adapter, col
    from citypulse.landing.runner import land_file

    adapter = Adapter(
        name="test_hot_ranks",
        platform="weibo",
        entity="topic_observations",
        signature=("话题", "阅读量", "排名"),
        columns=(
            col("topic", "话题", parser="topic"),
            col("topic_raw", "话题"),
            col("reads", "阅读量", parser="count"),
            col("hot_rank", "排名", parser="count"),
        ),
        constants={"is_hot_search": True},
    )
    _drop(inbox, "weibo/hot/good_2025-03-01.csv", HOT.format(rank=1))
    _drop(inbox, "weibo/hot/bad_2025-03-01.csv", HOT.format(rank=0))
    results = [land_file(home, p, inbox, adapters=[adapter]) for p in sorted(inbox.rglob("*.csv"))]
    bad_id = next(r.ingest_id for r in results if r.name.endswith("bad_2025-03-01.csv"))
    quality = validate_ingests(home, [r.ingest_id for r in results])
    failed = quality.filter(pl.col("status") != "pass")
    assert failed.select("check_name", "status", "failing_rows").rows() == [
        ("expect_column_values_to_be_between(column=hot_rank, min_value=1.0)", "fail", 1)
    ]
    details = json.loads(failed["details"][0])
    assert details["unexpected_by_ingest"] == {bad_id: 1}
    assert details["partial_unexpected_list"] == [0]


def test_a_batch_bigger_than_the_limit_is_checked_on_a_sample_that_says_so(
    home: Settings, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = "".join(f"#话题{i}#,{i}万,{i}\n" for i in range(1, 41))
    _drop(inbox, "weibo/acct1/topics_2025-03-01.csv", "话题,阅读量,讨论量\n" + rows)
    _drop(inbox, "weibo/acct2/topics_2025-03-02.csv", TOPICS.format(reads=8000))
    monkeypatch.setenv(MAX_ROWS_ENV, "10")
    quality = land_inbox(home, inbox).quality
    assert quality is not None and quality.height
    details = [json.loads(d) for d in quality["details"]]
    # 42 rows, at most 10 checked: every 5th row of each file, counted from its first
    assert {(d["rows_checked"], d["rows_in_batch"]) for d in details} == {(9, 42)}
    # both files are covered by the batch, though only the sample was read
    assert validated_ingests(home) == set(_landed_ids(home)) and pending_ingests(home) == []
