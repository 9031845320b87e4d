"""PIPL on the real pipeline: nothing in serving.duckdb names a pseudonymised account (docs/privacy.md).

From the lake, every raw identifier of every pseudonymised account of the session's sample warehouse
(tests/pipeline.py) is collected: account ids and names, post ids and links, IP and profile locations
more precise than a province; then every column of every table and view in serving, cast to text,
is searched for each of them as a substring (a raw row in JSON, a link holding an id): zero hits.
The key must not appear in dbt's compiled SQL, its logs or the serving file either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml

from citypulse.errors import CityPulseError
from citypulse.settings import REPO_ROOT, Settings
from citypulse.warehouse.build import build
from citypulse.warehouse.duckdb_functions import register
from citypulse.warehouse.pii import key_file, pii_key
from tests.pipeline import SamplePipeline

pytestmark = pytest.mark.slow

# a needle shorter than this would match unrelated text (a count, a word); no id of the sample is
# this short, which collect() asserts, so no real id is ever left out of the scan
MIN_NEEDLE = 4
# provincial-level divisions, long and short forms: a location at this level is allowed to be shown
PROVINCES = {
    name
    for long, short in [
        ("北京市", "北京"),
        ("天津市", "天津"),
        ("上海市", "上海"),
        ("重庆市", "重庆"),
        ("河北省", "河北"),
        ("山西省", "山西"),
        ("辽宁省", "辽宁"),
        ("吉林省", "吉林"),
        ("黑龙江省", "黑龙江"),
        ("江苏省", "江苏"),
        ("浙江省", "浙江"),
        ("安徽省", "安徽"),
        ("福建省", "福建"),
        ("江西省", "江西"),
        ("山东省", "山东"),
        ("河南省", "河南"),
        ("湖北省", "湖北"),
        ("湖南省", "湖南"),
        ("广东省", "广东"),
        ("海南省", "海南"),
        ("四川省", "四川"),
        ("贵州省", "贵州"),
        ("云南省", "云南"),
        ("陕西省", "陕西"),
        ("甘肃省", "甘肃"),
        ("青海省", "青海"),
        ("台湾省", "台湾"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("西藏自治区", "西藏"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("香港特别行政区", "香港"),
        ("澳门特别行政区", "澳门"),
    ]
    for name in (long, short)
} | {"中国", "海外", "未知", "其他"}

LAKE_ENTITIES = [
    "post_observations",
    "account_observations",
    "account_daily",
    "post_daily",
    "audience_breakdown",
]


def pseudonymised_types() -> list[str]:
    config = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    return list(config["vars"]["pseudonymised_account_types"])


@dataclass(frozen=True)
class Identifiers:
    needles: dict[str, str]  # the raw text -> what it is (for the failure message)
    accounts: int
    posts: int


def _lake(conn: duckdb.DuckDBPyConnection, lake: Path) -> None:
    for entity in [*LAKE_ENTITIES, "_ingests"]:
        files = lake / entity
        conn.execute(
            f"create view lake_{entity.strip('_')} as select * from "
            f"read_parquet('{files}/**/*.parquet', union_by_name = true, hive_partitioning = true)"
        )


def collect(pipeline: SamplePipeline) -> Identifiers:
    """Every raw identifier of the accounts of pseudonymised types, and of their posts, from the lake.

    The type is the build's (int_accounts); an account the build does not know is unknown. A post
    is pseudonymised unless some lake row ties it to an account shown as is.
    """
    types = pseudonymised_types()
    with duckdb.connect() as conn:
        conn.execute(f"attach '{pipeline.settings.build_db}' as build (read_only)")
        _lake(conn, pipeline.settings.lake)
        rows = " union all ".join(
            f"select platform, account_id, {'post_id' if 'post' in e else 'null'} as post_id from lake_{e}"
            for e in LAKE_ENTITIES
        )
        conn.execute(
            f"""create table lake_rows as
            select rows.platform, rows.account_id, rows.post_id,
                coalesce(accounts.account_type, 'unknown') in (select unnest(?::varchar[])) as hidden
            from ({rows}) as rows
            left join build.intermediate.int_accounts as accounts
                on rows.platform = accounts.platform and rows.account_id = accounts.account_id""",
            [types],
        )
        conn.execute(
            """create table hidden_accounts as
            select distinct platform, account_id from lake_rows where hidden and account_id is not null"""
        )
        conn.execute(
            """create table hidden_posts as
            select platform, post_id from lake_rows where post_id is not null
            group by platform, post_id having bool_and(hidden or account_id is null)"""
        )
        found: list[tuple[str, str]] = []

        def add(kind: str, sql: str) -> None:
            found.extend((str(value), kind) for (value,) in conn.execute(sql).fetchall() if value is not None)

        add("account id", "select account_id from hidden_accounts")
        for entity in ["post_observations", "account_observations"]:
            add(
                "account name",
                f"select distinct account_name from lake_{entity} join hidden_accounts using (platform, account_id)",
            )
        add("post id", "select post_id from hidden_posts")
        add(
            "post url",
            "select distinct post_url from lake_post_observations join hidden_posts using (platform, post_id)",
        )
        add(
            "ip location",
            "select distinct ip_location from lake_post_observations join hidden_posts using (platform, post_id)",
        )
        add(
            "profile location",
            "select distinct location from lake_account_observations join hidden_accounts using (platform, account_id)",
        )
        accounts = conn.execute("select count(*) from hidden_accounts").fetchone()
        posts = conn.execute("select count(*) from hidden_posts").fetchone()
    needles: dict[str, str] = {}
    for value, kind in found:
        text = value.strip()
        if kind.endswith("location"):
            text = re.sub(r"^IP属地[:：]\s*", "", text)
            if text in PROVINCES:
                continue  # a province may be shown
        if kind in {"account id", "post id", "post url"}:
            assert len(text) >= MIN_NEEDLE, f"a {kind} too short to scan for: {text!r}"
        if len(text) >= MIN_NEEDLE:
            needles.setdefault(text, kind)
    return Identifiers(needles, accounts[0] if accounts else 0, posts[0] if posts else 0)


def _relations(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return [
        (schema, name)
        for schema, name in conn.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() order by 1, 2"
        ).fetchall()
    ]


def scan(serving_db: Path, home: Path, needles: dict[str, str]) -> list[str]:
    """(schema.table.column: needle (kind)) for every column of serving whose text holds a needle."""
    # one RE2 alternation, as a literal so it is compiled once; each relation is read once
    pattern = "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)).replace("'", "''")
    hits: list[str] = []
    with duckdb.connect(str(serving_db), read_only=True) as conn:
        register(conn, home)  # views (if any) may call the build's functions
        for schema, table in _relations(conn):
            columns = [r[0] for r in conn.execute(f'describe "{schema}"."{table}"').fetchall()]
            names = ", ".join("'" + c.replace("'", "''") + "'" for c in columns)
            values = ", ".join(f'cast("{c}" as varchar)' for c in columns)
            found = conn.execute(
                f"""select distinct column_name, regexp_extract(value, '{pattern}') as needle
                from (
                    select unnest([{names}]) as column_name, unnest([{values}]) as value
                    from "{schema}"."{table}"
                )
                where regexp_matches(value, '{pattern}')
                order by 1, 2"""
            ).fetchall()
            hits.extend(f"{schema}.{table}.{c}: {n!r} ({needles.get(n, '?')})" for c, n in found)
    return hits


@pytest.fixture(scope="module")
def identifiers(sample_pipeline: SamplePipeline) -> Identifiers:
    return collect(sample_pipeline)


def test_the_sample_has_pseudonymised_accounts_with_posts(
    sample_pipeline: SamplePipeline, identifiers: Identifiers
) -> None:
    # the sample's unregistered creators (private persons and influencers found by keyword search,
    # without a profile to classify them): unknown, hence pseudonymised, on Douyin and Weibo
    assert identifiers.accounts >= 20
    assert identifiers.posts >= 50
    kinds = set(identifiers.needles.values())
    assert {"account id", "account name", "post id", "post url"} <= kinds
    with duckdb.connect(str(sample_pipeline.settings.serving_db), read_only=True) as conn:
        shown = conn.execute(
            "select count(*), count(post_url), count(*) filter (where post_id like 'p\\_%' escape '\\') "
            "from dim_post where account_type in (select unnest(?::varchar[]))",
            [pseudonymised_types()],
        ).fetchone()
    assert shown is not None and shown[0] == identifiers.posts
    assert shown[1] == 0  # no link
    assert shown[2] == shown[0]  # the keyed pseudonym as the post id


def test_no_raw_identifier_of_a_pseudonymised_account_in_serving(
    sample_pipeline: SamplePipeline, identifiers: Identifiers
) -> None:
    hits = scan(sample_pipeline.settings.serving_db, sample_pipeline.settings.home, identifiers.needles)
    assert hits == [], "serving shows raw identifiers of pseudonymised accounts:\n" + "\n".join(hits[:40])


def test_the_scan_finds_what_the_build_keeps(
    sample_pipeline: SamplePipeline, identifiers: Identifiers
) -> None:
    # the same needles in build.duckdb's staging (where engineers keep the raw rows): the scan can fail
    hits = scan(sample_pipeline.settings.build_db, sample_pipeline.settings.home, identifiers.needles)
    kinds = {hit.rsplit("(", 1)[1].rstrip(")") for hit in hits}
    assert {"account id", "account name", "post id", "post url"} <= kinds


def test_one_pseudonymous_post_id_everywhere(sample_pipeline: SamplePipeline) -> None:
    with duckdb.connect(str(sample_pipeline.settings.serving_db), read_only=True) as conn:
        mismatched = {
            table: conn.execute(
                f"select count(*) from {table} join dim_post using (post_key) where {table}.post_id <> dim_post.post_id"
            ).fetchone()
            for table in ["fct_post_snapshot", "fct_post_daily", "fct_post_latest"]
        }
        orphans = conn.execute(
            "select count(*) from bridge_post_topic left join dim_post using (post_key) where dim_post.post_key is null"
        ).fetchone()
    assert {t: m[0] for t, m in mismatched.items() if m} == {t: 0 for t in mismatched}
    assert orphans == (0,)


def test_rejects_of_hidden_rows_keep_where_and_why_but_no_raw_record(sample_pipeline: SamplePipeline) -> None:
    with duckdb.connect(str(sample_pipeline.settings.serving_db), read_only=True) as conn:
        total, with_record, located = conn.execute(
            "select count(*), count(record), count(*) filter (where ingest_id is not null and reason is not null) "
            "from ops_rejects"
        ).fetchone() or (0, 0, 0)
    with duckdb.connect() as conn:
        raw = conn.execute(
            f"select count(*), count(record) from read_parquet('{sample_pipeline.settings.lake}/_rejects/**/*.parquet')"
        ).fetchone()
    assert raw is not None and raw[0] == total > 0  # every reject is listed, with where and why
    assert located == total
    assert with_record < raw[1]  # rows of unknown accounts (hot-search rows, refused whole rows) lost theirs


def _files(folder: Path) -> Iterator[Path]:
    yield from (p for p in folder.rglob("*") if p.is_file())


def test_the_key_is_nowhere_in_compiled_sql_logs_or_serving(sample_pipeline: SamplePipeline) -> None:
    settings = sample_pipeline.settings
    key = pii_key(settings.home).encode("ascii")
    places = [
        *_files(settings.warehouse / "dbt_target"),
        *_files(settings.warehouse / "dbt_logs"),
        *_files(REPO_ROOT / "dbt_project" / "target"),
        *(p for p in _files(REPO_ROOT / "dbt_project" / "logs")),
        settings.serving_db,
    ]
    assert any(p.suffix == ".sql" for p in places) and any(p.suffix == ".log" for p in places)
    assert [str(p) for p in places if key in p.read_bytes()] == []


def test_a_missing_or_unreadable_key_stops_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITYPULSE_PII_KEY", raising=False)
    monkeypatch.setenv("CITYPULSE_HOME", str(tmp_path / "home"))
    settings = Settings.from_env().ensure()
    key_file(settings.home).parent.mkdir(parents=True)
    key_file(settings.home).write_text("", encoding="ascii")
    with pytest.raises(CityPulseError, match="is empty or shorter than 16 characters"):
        build(settings)
    key_file(settings.home).unlink()
    key_file(settings.home).mkdir()  # unreadable as a file, even for root
    with pytest.raises(CityPulseError, match="cannot read the PII key file"):
        build(settings)
    key_file(settings.home).rmdir()
    settings.serving_db.write_bytes(b"")  # a warehouse was published with a key now lost
    with pytest.raises(CityPulseError, match="the PII key is missing"):
        build(settings)
    assert not key_file(settings.home).exists() and not settings.build_db.exists()
