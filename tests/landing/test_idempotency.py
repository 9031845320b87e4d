"""Landing twice changes nothing; same bytes under another name are a duplicate; unknown files are
quarantined with the closest adapter; GBK and UTF-16 re-saves land the same rows."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import polars as pl
import pytest

from citypulse.landing.runner import discover_new_files, land_file, land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import lake_state, read_lake, read_zone

TOPICS = "话题,阅读量,讨论量,互动量,原创量\n#城市名片#,12.3亿,4567万,1.2万,-\n#夜游江城#,8000,10万+,abc,12\n"
MANIFEST = "observed_at: 2025-03-01T12:00:00+08:00\n"


def _write(inbox: Path, relative: str, data: bytes, manifest: str | None = MANIFEST) -> Path:
    path = inbox / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if manifest:
        (path.parent / "_manifest.yaml").write_text(manifest, encoding="utf-8")
    return path


def test_landing_twice_changes_nothing(home: Settings, inbox: Path) -> None:
    _write(inbox, "weibo/topics/topics_2025-03-01.csv", TOPICS.encode("utf-8-sig"))
    first = land_inbox(home, inbox)
    assert [f["status"] for f in first.to_json()["files"]] == ["landed"]
    before = lake_state(home)
    second = land_inbox(home, inbox)
    assert second.to_json() == {"files": []} and second.exit_code == 0
    assert discover_new_files(home, inbox) == []
    after = lake_state(home)
    assert before.keys() == after.keys()
    assert all(before[k].equals(after[k]) for k in before)


def test_topic_values_and_rejects(home: Settings, inbox: Path) -> None:
    _write(inbox, "weibo/topics/topics.csv", TOPICS.encode("utf-8"))
    result = land_inbox(home, inbox).to_json()["files"][0]
    assert (result["rows_in"], result["rows_landed"], result["rows_rejected"]) == (2, 1, 1)
    topics = read_lake(home, "topic_observations")
    assert topics.select(
        "topic", "topic_raw", "reads", "discussions", "interactions", "originals", "is_hot_search", "hot_rank"
    ).row(0) == ("城市名片", "#城市名片#", 1_230_000_000, 45_670_000, 12_000, None, False, None)
    reject = read_zone(home.rejects).row(0, named=True)
    assert reject["reason"] == "weibo_topic_detail: row 3, column 互动量: 'abc' is not a number"
    assert (reject["source_row"], reject["column"], reject["value"]) == (3, "互动量", "abc")
    assert json.loads(reject["record"])["话题"] == "#夜游江城#"


def test_same_bytes_under_another_name_is_a_duplicate(home: Settings, inbox: Path) -> None:
    _write(inbox, "weibo/topics/a.csv", TOPICS.encode())
    _write(inbox, "weibo/topics/copy-of-a.csv", TOPICS.encode())
    files = land_inbox(home, inbox).to_json()["files"]
    assert [(f["name"], f["status"]) for f in files] == [
        ("weibo/topics/a.csv", "landed"),
        ("weibo/topics/copy-of-a.csv", "duplicate"),
    ]
    assert read_lake(home, "topic_observations").height == 1
    ledger = read_zone(home.ingests)
    assert sorted(ledger["status"]) == ["duplicate", "landed"]
    assert land_inbox(home, inbox).to_json() == {"files": []}
    # a retried task for an already landed file reports the stored outcome and writes nothing
    again = land_file(home, inbox / "weibo/topics/a.csv", inbox)
    assert (again.status, again.rows_landed) == ("landed", 1)
    assert read_zone(home.ingests).height == 2


def test_unknown_file_is_quarantined_and_the_rest_lands(home: Settings, inbox: Path) -> None:
    _write(inbox, "weibo/topics/topics.csv", TOPICS.encode())
    _write(inbox, "douyin/city/mystery.csv", "作品名称,发布时间,点赞量\n标题,2025-01-01 10:00,3\n".encode())
    result = land_inbox(home, inbox)
    assert result.exit_code == 2
    statuses = {f["name"]: f["status"] for f in result.to_json()["files"]}
    assert statuses == {"weibo/topics/topics.csv": "landed", "douyin/city/mystery.csv": "quarantined"}
    ingest_id = read_zone(home.ingests).filter(pl.col("status") == "quarantined")["ingest_id"][0]
    reason = json.loads((home.quarantine / ingest_id / "reason.json").read_text(encoding="utf-8"))
    assert reason["file"] == "douyin/city/mystery.csv"
    assert reason["closest_adapter"] == "douyin_creator_works"
    assert reason["missing_columns"] == ["播放量"]
    assert (home.home / reason["raw_path"]).read_bytes() == (inbox / "douyin/city/mystery.csv").read_bytes()


def test_gbk_and_utf16_resaves_land_identically(home: Settings, inbox: Path) -> None:
    for codec in ("utf-8-sig", "gbk", "utf-16"):
        _write(inbox, f"weibo/{codec}/topics.csv", TOPICS.encode(codec))
    land_inbox(home, inbox)
    ledger = read_zone(home.ingests).sort("original_name")
    assert ledger["encoding"].to_list() == ["gb18030", "utf-16-le", "utf-8-sig"]
    topics = read_lake(home, "topic_observations")
    per_file = [topics.filter(pl.col("ingest_id") == i).drop("ingest_id") for i in ledger["ingest_id"]]
    assert per_file[0].height == 1
    assert per_file[0].equals(per_file[1]) and per_file[1].equals(per_file[2])


def test_zip_members_land_as_logical_files(home: Settings, inbox: Path) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("export/topics.csv", TOPICS.encode("gbk"))
        archive.writestr("export/readme.txt", b"nothing to see")
        archive.writestr("__MACOSX/export/._topics.csv", b"\x00\x05")
    _write(inbox, "weibo/topics/export_2025-03-01.zip", buf.getvalue())
    result = land_inbox(home, inbox)
    statuses = [(f["name"], f["status"], f["rows_landed"]) for f in result.to_json()["files"]]
    assert statuses == [
        ("weibo/topics/export_2025-03-01.zip!export/topics.csv", "landed", 1),
        ("weibo/topics/export_2025-03-01.zip!export/readme.txt", "quarantined", 0),
        ("weibo/topics/export_2025-03-01.zip", "landed", 1),
    ]
    assert result.exit_code == 2
    ledger = read_zone(home.ingests)
    assert ledger.height == 3 and ledger.filter(pl.col("adapter") == "zip")["rows_landed"].to_list() == [1]
    assert land_inbox(home, inbox).to_json() == {"files": []}


def test_an_empty_api_response_lands_with_no_rows(home: Settings, inbox: Path) -> None:
    _write(inbox, "weibo/hot/hot_2025-03-01.json", b'{"ok": 1, "data": {"realtime": []}}')
    result = land_inbox(home, inbox)
    file = result.to_json()["files"][0]
    assert (file["status"], file["rows_landed"], result.exit_code) == ("landed", 0, 0)
    assert "no records" in file["error"]


def test_a_file_discovered_then_rewritten_lands_under_its_new_digest(
    home: Settings, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """land_inbox keeps the digest it discovered a big file by only while the file is unchanged."""
    from citypulse.landing import runner

    monkeypatch.setenv(runner.BATCH_ABOVE_ENV, "0")  # every CSV is "big": landed from its path
    first = TOPICS.encode("utf-8")
    second = first.replace(
        "12.3亿".encode(), "12.4亿".encode()
    )  # same size: only the content and the times differ
    path = _write(inbox, "weibo/topics/topics.csv", first)
    old = time.time_ns() - 5_000_000_000
    os.utime(path, ns=(old, old))  # settled; ctime is now, so wait until it is a second old
    time.sleep(1.1)
    discovered = runner._new_files(home, inbox)
    assert [(h.path, h.digest) for h in discovered] == [(path, hashlib.sha256(first).hexdigest())]
    assert discovered[0].identity  # settled: kept with the state it was read from

    path.write_bytes(second)
    landed = runner._land_file(home, path, inbox, None, discovered[0])
    assert landed.ingest_id == hashlib.sha256(second).hexdigest()
    assert read_lake(home, "topic_observations")["reads"].to_list() == [1_240_000_000]


def test_a_digest_read_in_the_file_s_last_second_is_not_kept(inbox: Path) -> None:
    from citypulse.landing.runner import _Hashed

    path = _write(inbox, "weibo/topics/topics.csv", TOPICS.encode("utf-8"), manifest=None)
    hashed = _Hashed.read(path)
    assert hashed.identity == ()  # written just now: the clock's tick could hide a rewrite
    path.write_bytes(TOPICS.replace("8000", "9000").encode("utf-8"))
    assert hashed.digest_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()
