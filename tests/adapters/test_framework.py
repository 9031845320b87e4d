"""The adapter framework: registry discovery, detection by signature, YAML adapters (shipped and user)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from citypulse.adapters.base import Adapter, col
from citypulse.adapters.engine import detect, preamble
from citypulse.adapters.readers import open_csv, read_tables
from citypulse.adapters.registry import all_adapters
from citypulse.adapters.yaml_loader import AdapterDefinitionError, load_yaml_adapters
from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import read_lake


def test_registry_finds_python_and_shipped_yaml_adapters() -> None:
    names = {a.name for a in all_adapters()}
    assert {
        "douyin_creator_works",
        "douyin_account_overview",
        "douyin_mediacrawler_contents",
        "douyin_mediacrawler_creators",
        "weibo_crawler_posts",
        "weibo_crawler_users",
        "weibo_spider_posts",
        "weibo_mediacrawler_notes",
        "weibo_topic_detail",
        "weibo_hot_search",
        "douyin_keyword_search",
    } <= names


def test_header_found_below_a_preamble_and_matched_after_normalisation() -> None:
    text = 'sep=,\n"导出时间 2025-03-01"\n"\ufeff 话题 ","阅读量","讨论量"\n#a#,1,2\n'
    tables, encoding, fmt = read_tables(text.encode("utf-16"))
    detection = detect(tables[0], all_adapters(), fmt)
    assert detection.adapter is not None and detection.adapter.name == "weibo_topic_detail"
    assert detection.header_index == 2 and encoding == "utf-16-le"


def test_adapter_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="not columns of post_observations"):
        Adapter("bad", "weibo", "post_observations", ("a",), (col("nonsense", "a"),))
    with pytest.raises(ValueError, match="unknown parser"):
        col("views", "a", parser="roman")


def test_user_yaml_adapter_lands_a_new_crawler_format(
    home: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "adapters"
    folder.mkdir()
    (folder / "my_crawler.yaml").write_text(
        "name: my_weibo_crawler\nplatform: weibo\nentity: post_observations\ntimezone: Asia/Shanghai\n"
        "signature: [mid, 内容, 发布于, 赞]\n"
        "columns:\n  post_id: {from: mid, parser: id}\n  text: 内容\n"
        "  published_at: {from: 发布于, parser: datetime}\n  likes: {from: [赞, 点赞], parser: count}\n"
        "  account_id: {from: uid, parser: id}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("CITYPULSE_ADAPTERS", str(folder))
    settings = Settings.from_env(home.home)
    (settings.inbox / "weibo" / "x").mkdir(parents=True)
    (settings.inbox / "weibo" / "x" / "dump_2025-03-01.csv").write_text(
        "mid,uid,内容,发布于,赞\n4901,2803301701,你好,昨天 10:00,2.5万\n", encoding="utf-8"
    )
    result = land_inbox(settings, settings.inbox).to_json()["files"][0]
    assert result["adapter"] == "my_weibo_crawler" and result["rows_landed"] == 1
    post = read_lake(settings, "post_observations").row(0, named=True)
    assert (post["post_id"], post["account_id"], post["likes"]) == ("4901", "2803301701", 25000)
    # "昨天 10:00" against observed_at 2025-03-01 00:00 Beijing → 2025-02-28 10:00 Beijing
    assert post["published_at"].isoformat() == "2025-02-28T02:00:00+00:00"


def test_bad_yaml_names_the_file_and_key(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "name: x\nplatform: weibo\nentity: post_observations\nsignature: [a]\n"
        "columns:\n  views: {from: a, parser: roman}\n",
        encoding="utf-8",
    )
    with pytest.raises(AdapterDefinitionError, match=r"bad.yaml: columns.views: .*unknown parser"):
        load_yaml_adapters(tmp_path)


def test_every_value_is_read_as_text() -> None:
    tables, _, _ = read_tables(b"video_id,digg_count\n7521237645968690473,0012\n")
    row = tables[0].frame.row(1, named=True)
    assert (row["c0"], row["c1"], row["_source_row"]) == ("7521237645968690473", "0012", 2)
    assert tables[0].frame.schema["c0"] == pl.String


def test_context_preamble_holds_the_cells_above_the_header(tmp_path: Path) -> None:
    adapters = all_adapters(Settings(tmp_path / "home").ensure())
    text = 'sep=,\r\n"Facebook follows"\r\n"Date","Primary"\r\n"2025-08-01T00:00:00","20"\r\n'
    tables, _, fmt = read_tables(b"\xff\xfe" + text.encode("utf-16-le"))
    detection = detect(tables[0], adapters, fmt)
    assert (detection.adapter.name, detection.header_index) == ("facebook_page_daily", 2)
    assert preamble(detection) == ("sep=", "Facebook follows")
    plain, _, fmt = read_tables(b"Date,Primary\n2025-08-01,3\n")
    assert preamble(detect(plain[0], adapters, fmt)) == ()


def test_a_record_wider_than_any_of_its_lines_keeps_every_cell(tmp_path: Path) -> None:
    # the quoted cell's line break splits the record into lines of 2 and 4 separators: the widest
    # line said 5 columns, and the record's sixth cell was cut off
    data = b'a,b,c\n1,"x\ny",2,3,4,5\n'
    (table,), _, _ = read_tables(data)
    assert table.frame.drop("_source_row").rows()[1] == ("1", "x\ny", "2", "3", "4", "5")
    path = tmp_path / "wide.csv"
    path.write_bytes(data * 3)
    batches = list(open_csv(path, piece_bytes=8).batches())
    assert max(b.filled for b in batches) == 6
    assert [row[1:] for b in batches for row in b.frame.rows()][1] == ("1", "x\ny", "2", "3", "4", "5")
