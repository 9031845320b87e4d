"""Deletion on request: ``citypulse forget`` removes one account everywhere and keeps it out.

Two weibo-crawler accounts land (users.csv holds both, each has a posts file), the warehouse is
built, one account is forgotten (lake rewrite, tombstone, full-refresh build and publish); then
its bytes are landed again, as the same file and as a changed one. Nothing of the forgotten
account (id, name, post ids) may remain in any lake parquet file or in serving.duckdb, and the
other account's rows must be exactly as before.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from citypulse.cli import main
from citypulse.lake.schema import ENTITIES
from citypulse.landing import tombstones
from citypulse.landing.forget import reset_warehouse
from citypulse.landing.runner import land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import read_lake, read_zone

USERS_HEADER = (
    "用户id,昵称,性别,生日,所在地,学习经历,公司,注册时间,阳光信用,微博数,粉丝数,关注数,简介,主页,"
    "头像,高清头像,微博等级,会员等级,是否认证,认证类型,认证信息"
)
POSTS_HEADER = "id,bid,正文,头条文章url,原始图片url,视频url,位置,日期,工具,点赞数,评论数,转发数,话题,@用户"

KEPT, KEPT_NAME = "1111100001", "成都发布"
GONE, GONE_NAME = "2222200002", "李四的小号"
GONE_POSTS = ["4900000000000101", "4900000000000102", "4900000000000103"]
GONE_TOKENS = [GONE, GONE_NAME, *GONE_POSTS, "李四的日常"]

USERS = (
    f"{USERS_HEADER}\n"
    f"{KEPT},{KEPT_NAME},m,,四川 成都,,,,,5000,1200000,300,成都市政府新闻办公室官方微博,"
    f"https://m.weibo.cn/u/{KEPT},,,,,True,1,成都市政府新闻办公室\n"
    f"{GONE},{GONE_NAME},f,,四川 成都,,,,,12,34,56,随便写写,https://m.weibo.cn/u/{GONE},,,,,False,-1,\n"
)
KEPT_POSTS = (
    f"{POSTS_HEADER}\n"
    "4900000000000001,AbCdEf001,成都今日天气晴,,,,,2024-05-01,iPhone,10,2,3,,\n"
    "4900000000000002,AbCdEf002,春熙路人很多,,,,,2024-05-02,iPhone,20,4,6,,\n"
)
# the second post's like count cannot be read: a cell reject whose record quotes the post
GONE_POSTS_CSV = (
    f"{POSTS_HEADER}\n"
    f"{GONE_POSTS[0]},XyZ000101,李四的日常,,,,,2024-05-03,Android,1,0,0,,\n"
    f"{GONE_POSTS[1]},XyZ000102,再来一条,,,,,2024-05-04,Android,很多,0,0,,\n"
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _lake_frames(settings: Settings, account: str) -> dict[str, pl.DataFrame]:
    """The account's rows of every entity that has accounts, in a stable order."""
    frames = {}
    for entity, schema in ENTITIES.items():
        frame = read_lake(settings, entity)
        if "account_id" in schema and frame.height:
            frames[entity] = frame.filter(pl.col("account_id") == account).sort("ingest_id", "source_row")
    return frames


def _lake_hits(settings: Settings) -> list[str]:
    """Every string cell of every lake parquet file (ledger, rejects, quality, tombstones included)
    that holds one of the forgotten account's tokens."""
    hits = []
    for path in sorted(settings.lake.rglob("*.parquet")):
        frame = pl.read_parquet(path)
        for column, dtype in frame.schema.items():
            if dtype != pl.String:
                continue
            for token in GONE_TOKENS:
                if frame[column].str.contains(token, literal=True).any():
                    hits.append(f"{path.relative_to(settings.home)}:{column}:{token}")
    return hits


def _serving_hits(db: Path) -> list[str]:
    hits = []
    with duckdb.connect(str(db), read_only=True) as conn:
        columns = conn.execute(
            "select c.table_schema, c.table_name, c.column_name from information_schema.columns c "
            "join information_schema.tables t using (table_catalog, table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' and c.data_type = 'VARCHAR'"
        ).fetchall()
        assert len(columns) > 50  # the marts are there: the scan is not vacuous
        for schema, table, column in columns:
            for token in GONE_TOKENS:
                found = conn.execute(
                    f'select count(*) from "{schema}"."{table}" where contains("{column}", ?)', [token]
                ).fetchone()
                if found and found[0]:
                    hits.append(f"{schema}.{table}.{column}:{token}")
    return hits


def _serving_posts(db: Path, account_posts: list[str]) -> pl.DataFrame:
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute(
            "select platform, post_id, title, text, published_at from main.dim_post "
            "where post_id in (select unnest(?)) order by post_id",
            [account_posts],
        ).fetchall()
    return pl.DataFrame(rows, schema=["platform", "post_id", "title", "text", "published_at"], orient="row")


@pytest.mark.slow  # one full-refresh dbt build with its audit
@pytest.mark.timeout(300)
def test_forget_removes_an_account_and_keeps_it_out(home: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITYPULSE_PII_KEY", raising=False)
    inbox = home.inbox
    users = _write(inbox / "weibo" / "users.csv", USERS)
    _write(inbox / "weibo" / "chengdu" / f"{KEPT}.csv", KEPT_POSTS)
    gone_posts = _write(inbox / "weibo" / "lisi" / f"{GONE}.csv", GONE_POSTS_CSV)
    _write(inbox / "weibo" / "lisi" / "_manifest.yaml", f'account_id: "{GONE}"\n')
    first = land_inbox(home, inbox)
    assert first.exit_code == 0, first.to_json()
    kept_before = _lake_frames(home, KEPT)
    assert {e: f.height for e, f in kept_before.items() if f.height} == {
        "post_observations": 2,
        "account_observations": 1,
    }
    gone_before = _lake_frames(home, GONE)
    assert gone_before["post_observations"]["post_id"].to_list() == GONE_POSTS[:1]
    # the row with the unreadable count is refused whole: only its record holds that post
    assert read_zone(home.rejects)["record"].str.contains(GONE_POSTS[1]).any()
    code = main(["forget", "--platform", "weibo", "--account", GONE, "--reason", "工单 PIPL-1"])
    assert code == 0
    # the tombstone keeps a keyed hash, not the id
    stones = read_zone(tombstones.folder(home))
    assert stones.sort("kind")["kind"].to_list() == ["account", "post"]
    assert stones["reason"].unique().to_list() == ["工单 PIPL-1"]
    raw_list = [json.loads(line) for line in (home.raw / "_tombstones.jsonl").read_text().splitlines()]
    assert len(raw_list) == 1 and len(raw_list[0]["raw_files"]) == 2  # users.csv and the posts file
    assert all((home.home / p).is_file() for p in raw_list[0]["raw_files"])  # raw stays immutable

    assert _lake_hits(home) == []
    assert _serving_hits(home.serving_db) == []
    kept_after = _lake_frames(home, KEPT)
    for entity, frame in kept_before.items():
        assert kept_after[entity].equals(frame), entity
    ledger = read_zone(home.ingests)
    gone_entry = ledger.filter(pl.col("original_name") == "weibo/lisi/[forgotten].csv").row(0, named=True)
    assert (gone_entry["account_id"], gone_entry["rows_landed"], gone_entry["rows_rejected"]) == (None, 0, 2)
    reasons = read_zone(home.rejects).filter(pl.col("ingest_id") == gone_entry["ingest_id"])
    assert reasons["reason"].to_list() == [tombstones.FORGOTTEN_REASON] * 2
    assert reasons["record"].null_count() == 2
    kept_posts_before = ["4900000000000001", "4900000000000002"]
    kept_serving = _serving_posts(home.serving_db, kept_posts_before)
    assert kept_serving["post_id"].to_list() == kept_posts_before

    # the same bytes again under other names: duplicates; changed bytes: the landing drops the rows
    _write(inbox / "again" / "users-copy.csv", users.read_text(encoding="utf-8"))
    _write(
        inbox / "weibo" / "lisi2" / f"{GONE}.csv",
        gone_posts.read_text(encoding="utf-8")
        + f"{GONE_POSTS[2]},XyZ000103,新的一条,,,,,2024-05-05,Android,5,0,0,,\n",
    )
    _write(inbox / "weibo" / "users2.csv", USERS + "3333300003,王五,m,,北京,,,,,1,2,3,,,,,,,False,-1,\n")
    again = {f["name"]: f for f in land_inbox(home, inbox).to_json()["files"]}
    assert again["again/users-copy.csv"]["status"] == "duplicate"
    changed = again[f"weibo/lisi2/{GONE}.csv"]
    assert (changed["status"], changed["rows_in"], changed["rows_landed"], changed["rows_rejected"]) == (
        "landed",
        3,
        0,
        3,
    )
    users2 = again["weibo/users2.csv"]
    assert (users2["rows_landed"], users2["rows_rejected"]) == (2, 1)
    assert _lake_hits(home) == []
    accounts = read_lake(home, "account_observations")["account_id"].unique().sort().to_list()
    assert accounts == [KEPT, "3333300003"]
    for entity, frame in kept_before.items():
        now = _lake_frames(home, KEPT)[entity].filter(pl.col("ingest_id").is_in(frame["ingest_id"].implode()))
        assert now.equals(frame), entity


def test_warehouse_keeps_only_what_a_full_refresh_cannot_recreate(home: Settings) -> None:
    """The snapshot loses the account (by its key, pseudonymised or not), the audit history its
    quoted values; every other table goes (the full refresh recreates it from the clean lake)."""
    home.warehouse.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(home.build_db)) as conn:
        conn.execute("create schema intermediate; create schema snapshots; create schema audit")
        conn.execute(
            "create table intermediate.int_accounts as select * from (values "
            f"('k-gone', 'weibo', '{GONE}'), ('k-kept', 'weibo', '{KEPT}')) t(account_key, platform, account_id)"
        )
        conn.execute(
            "create table snapshots.snap_accounts as select * from (values "
            f"('k-gone', 'weibo', 'p_0123456789abcdef', '用户_01234567'), ('k-kept', 'weibo', '{KEPT}', '{KEPT_NAME}')"
            ") t(account_key, platform, account_id, account_name)"
        )
        conn.execute(
            "create table audit.check_results as select * from (values "
            f'(\'r1\', \'{{"partial_unexpected_list": ["{GONE}", "x"]}}\')) t(run_id, details)'
        )
        conn.execute(f"create table main.dim_account as select '{GONE_NAME}' as account_name")
    assert reset_warehouse(home, "weibo", GONE, [GONE, GONE_NAME]) == 1
    with duckdb.connect(str(home.build_db), read_only=True) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables order by 1"
        ).fetchall()
        snapshot = conn.execute("select account_key, account_name from snapshots.snap_accounts").fetchall()
        details = conn.execute("select details from audit.check_results").fetchall()
    assert tables == [("audit", "check_results"), ("snapshots", "snap_accounts")]
    assert snapshot == [("k-kept", KEPT_NAME)]
    assert details == [('{"partial_unexpected_list": ["[forgotten]", "x"]}',)]
    assert GONE.encode() not in home.build_db.read_bytes()


@pytest.mark.parametrize("in_batches", [False, True])
def test_landing_drops_tombstoned_rows(
    home: Settings, monkeypatch: pytest.MonkeyPatch, in_batches: bool
) -> None:
    """Whole or in row batches, a tombstoned account's rows are counted as forgotten rejects, its
    refused rows lose their records, and the ledger names neither its id nor its file name."""
    if in_batches:
        monkeypatch.setenv("CITYPULSE_LAND_BATCH_ABOVE_BYTES", "1")
        monkeypatch.setenv("CITYPULSE_LAND_BATCH_BYTES", "200")
    tombstones.write(home, "weibo", GONE, [], "test", datetime(2026, 1, 1, tzinfo=UTC))
    _write(home.inbox / "weibo" / "lisi" / f"{GONE}.csv", GONE_POSTS_CSV)
    _write(home.inbox / "weibo" / "users.csv", USERS)
    files = {f["name"]: f for f in land_inbox(home, home.inbox).to_json()["files"]}
    gone = files[f"weibo/lisi/{GONE}.csv"]
    assert (gone["rows_in"], gone["rows_landed"], gone["rows_rejected"]) == (2, 0, 2)
    assert (files["weibo/users.csv"]["rows_landed"], files["weibo/users.csv"]["rows_rejected"]) == (1, 1)
    rejects = read_zone(home.rejects)
    assert rejects["reason"].to_list() == [tombstones.FORGOTTEN_REASON] * 3
    assert rejects["record"].null_count() == 3
    assert _lake_hits(home) == []
    assert sorted(read_zone(home.ingests)["original_name"].to_list()) == [
        "weibo/lisi/[forgotten].csv",
        "weibo/users.csv",
    ]
