"""Post titles in the tables: always shown, a link only to a web address, nothing rendered as HTML.

The sample cannot hold hostile titles or non-web addresses, so the datasets' SQL runs here over the
pipeline warehouse's tables with such posts added (in memory; the warehouse is only read).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import duckdb
import pytest

from citypulse.settings import REPO_ROOT
from citypulse.superset.bundle import load_assets
from tests.pipeline import SamplePipeline

ASSETS = REPO_ROOT / "superset" / "assets"
LINK = re.compile(r'^<a href="([^"]*)" target="_blank" rel="noopener noreferrer">([^<>]*)</a>$')
# (post_url, title) → what the cell must read
EDGES = [
    ("https://www.douyin.com/video/1", "成都 & 熊猫 <3", "link"),
    ("HTTP://example.org/a?b=1&c=2", "普通标题", "link"),
    (None, "没有链接的标题", "text"),
    ("javascript:alert(1)", "脚本链接", "text"),
    ('https://x.com/a" onmouseover="alert(1)', "引号注入", "text"),
    ("https://example.org/p", "<img src=x onerror=alert(1)>", "link"),
    (None, None, "text"),
]
LINKED_DATASETS = {
    "内容_帖子排行": "fct_post_latest",
    "诊断_同质化示例": "eval_diag_clusters",
    "诊断_爆款预警": "eval_diag_viral",
}


@pytest.fixture(scope="module")
def con(sample_pipeline: SamplePipeline) -> duckdb.DuckDBPyConnection:
    """An in-memory copy of the tables the linked datasets read, with the edge-case posts added."""
    con = duckdb.connect()
    serving = Path(sample_pipeline.settings.serving_db)
    con.execute(f"attach '{serving}' as serving (read_only)")
    for table in ("dim_city", "dim_platform", "eval_run", *LINKED_DATASETS.values()):
        con.execute(f"create table {table} as select * from serving.main.{table}")
    for table in LINKED_DATASETS.values():
        template = con.execute(f"select * from {table} limit 1").fetchdf()
        assert len(template) == 1, f"{table}: the sample should hold at least one row"
        for n, (url, title, _) in enumerate(EDGES):
            con.execute(
                f"insert into {table} by name"
                " select * replace (? as post_url, ? as title, ? as post_id, ? as account_name)"
                f" from (select * from {table} limit 1)",
                [url, title, f"edge-{n}", f"edge-{n}"],
            )
    return con


@pytest.mark.parametrize("dataset_name", sorted(LINKED_DATASETS))
def test_titles_show_links_only_to_web_addresses_and_escape_html(
    con: duckdb.DuckDBPyConnection, dataset_name: str
) -> None:
    (dataset,) = [d for d in load_assets(ASSETS)["datasets"].values() if d["table_name"] == dataset_name]
    rows = dict(
        con.execute(
            f"select account_name, post_link from ({dataset['sql']}) as t where account_name like 'edge-%'"
        ).fetchall()
    )
    for n, (url, title, shown) in enumerate(EDGES):
        cell = rows[f"edge-{n}"]
        label = html.escape(title or f"edge-{n}", quote=True).replace("&#x27;", "&#39;")
        assert cell, (url, title)
        if shown == "link":
            match = LINK.match(cell)
            assert match, cell
            assert html.unescape(match.group(1)) == url and match.group(2) == label, cell
        else:
            assert cell == label, cell
