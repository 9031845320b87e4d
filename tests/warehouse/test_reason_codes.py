"""Why rows and files were refused, as a stable category: written by landing beside every reason,
carried through the lake and the ledger to ops_rejects / ops_ingests, labelled in Chinese from the
one seed; lake files written before the column existed still build (derived, else unknown)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from citypulse.lake import reasons
from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from citypulse.warehouse.build import run_dbt_build
from tests.pipeline import SamplePipeline
from tests.warehouse.conftest import home_settings
from tests.warehouse.lake_builder import ingest_id, write_batch_one

SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "reason_codes.csv"


def _seed() -> dict[str, str]:
    with SEED.open(encoding="utf-8", newline="") as fh:
        return {row["reason_code"]: row["label_zh"] for row in csv.DictReader(fh)}


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_landing_writes_only_codes_the_seed_labels() -> None:
    assert reasons.labels() == _seed()
    assert all(label and not label.isascii() for label in _seed().values())
    with pytest.raises(ValueError, match="unknown reason code"):
        reasons.code("no_such_reason")


def test_a_refused_row_and_a_quarantined_file_carry_their_code(tmp_path: Path) -> None:
    home = Settings.from_env(tmp_path / "home").ensure()
    inbox = tmp_path / "inbox"
    topics = "话题,阅读量,讨论量,互动量,原创量\n#成都美食#,1200,30,abc,5\n话题,阅读量,讨论量,互动量,原创量\n"
    (inbox / "weibo" / "topics").mkdir(parents=True)
    (inbox / "weibo" / "topics" / "topics.csv").write_text(topics, encoding="utf-8")
    (inbox / "douyin" / "city").mkdir(parents=True)
    (inbox / "douyin" / "city" / "mystery.csv").write_text(
        "作品名称,发布时间,点赞量\n标题,2025-01-01 10:00,3\n"
    )
    land_inbox(home, inbox)

    rejects = pl.read_parquet(home.rejects / "*.parquet")
    assert dict(zip(rejects["column"].fill_null("-"), rejects["reason_code"], strict=True)) == {
        "互动量": "number_unparseable",
        "-": "header_row",
    }
    ledger = pl.read_parquet(home.ingests / "*.parquet").filter(pl.col("status") == "quarantined")
    assert ledger["reason_code"].to_list() == ["no_adapter"]
    saved = json.loads((home.quarantine / ledger["ingest_id"][0] / "reason.json").read_text(encoding="utf-8"))
    assert saved["reason_code"] == "no_adapter"
    assert saved["reason"].startswith("无法识别的导出格式：douyin/city/mystery.csv")
    assert "no adapter matches its header" in saved["detail"]  # the technical message, kept


def test_sample_pipeline_rejects_are_grouped_by_a_chinese_category(sample_pipeline: SamplePipeline) -> None:
    serving = sample_pipeline.settings.serving_db
    seed = _seed()
    rows = _query(serving, "select reason_code, reason_label, count(*) from ops_rejects group by all")
    assert rows, "the sample refuses rows"
    for code, label, _ in rows:
        assert code in seed and code != "unknown" and label == seed[code], (code, label)
    # far fewer categories than distinct messages: the chart's bars are categories
    messages = _query(serving, "select count(distinct reason) from ops_rejects")[0][0]
    assert len(rows) < messages
    quarantined = _query(
        serving, "select reason_code, reason_label from ops_ingests where status = 'quarantined'"
    )
    assert all(code in seed and code != "unknown" and label == seed[code] for code, label in quarantined)
    landed = _query(
        serving, "select count(*) from ops_ingests where status = 'landed' and reason_code = 'unknown'"
    )
    assert landed == [(0,)]


def test_lake_files_written_before_the_code_still_build(tmp_path_factory: pytest.TempPathFactory) -> None:
    with home_settings(tmp_path_factory, "legacy_reasons") as settings:
        write_batch_one(settings)
        posts = ingest_id("douyin-posts-1")
        # as landing wrote them before: no reason_code column in any rejects file or ledger entry
        old = pl.read_parquet(settings.rejects / f"{posts}.parquet").drop("reason_code")
        engine_worded = old.with_columns(
            source_row=pl.lit(6, pl.Int64),
            reason=pl.lit("douyin_creator_works: row 6, column 播放量: 'x' is not a number"),
        )
        pl.concat([old, engine_worded]).write_parquet(settings.rejects / f"{posts}.parquet")
        for entry in settings.ingests.glob("*.parquet"):
            pl.read_parquet(entry).drop("reason_code").write_parquet(entry)
        run_dbt_build(settings)
        codes = _query(
            settings.build_db,
            "select source_row, reason_code, reason_label from main.ops_rejects order by source_row",
        )
        assert codes == [(5, "unknown", _seed()["unknown"]), (6, "number_unparseable", "数值无法解析")]
        ingests = _query(settings.build_db, "select count(*), count(reason_code) from main.ops_ingests")
        assert ingests[0][0] > 0 and ingests[0][1] == 0  # landed files: no reason to give
