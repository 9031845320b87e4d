"""The report of 2026-10 from the real sample pipeline (2026-09 and 2026-10 evaluated officially and
republished): its 执行摘要 says what an independent SQL over the published eval_ marts says, it
prints to a PDF with pages and embedded CJK fonts, it renders offline in Chromium with typeset
formulas and a six-month trend, and the monthly notification carries the PDF."""

from __future__ import annotations

import email
import email.policy
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape, unescape
from pathlib import Path

import duckdb
import pytest

from citypulse.notify import notifier_from_env
from citypulse.report.labels import PLATFORM_ZH
from citypulse.report.publish import publish_report
from citypulse.report.render import ReportFiles, _post_label, _post_link
from tests.notify.local_servers import Mailbox, Received, http_endpoint, smtp_server
from tests.pipeline import SamplePipeline

pytestmark = pytest.mark.slow
PERIOD, PREVIOUS = "2026-10", "2026-09"
CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian chromium missing: bash scripts/system-deps.sh"
)


@dataclass(frozen=True)
class Published:
    files: ReportFiles
    html: str
    serving: Path
    mails: Mailbox
    hooks: list[Received]


@pytest.fixture(scope="module")
def published(
    sample_pipeline: SamplePipeline, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Published]:
    out = tmp_path_factory.mktemp("report") / f"citypulse-{PERIOD}.html"
    with smtp_server() as (port, mailbox), http_endpoint() as hook:
        notifier = notifier_from_env(
            {
                "CITYPULSE_NOTIFY_SMTP_HOST": "127.0.0.1",
                "CITYPULSE_NOTIFY_SMTP_PORT": str(port),
                "CITYPULSE_NOTIFY_SMTP_FROM": "citypulse@example.org",
                "CITYPULSE_NOTIFY_SMTP_TO": "leader@example.org",
                "CITYPULSE_NOTIFY_WEBHOOK_URL": hook.url("/hook"),
            }
        )
        files = publish_report(sample_pipeline.settings, PERIOD, out=out, notifier=notifier)
        yield Published(
            files,
            out.read_text(encoding="utf-8"),
            sample_pipeline.settings.serving_db,
            mailbox,
            hook.received,
        )


def _query(published: Published, sql: str, *params: object) -> list[tuple]:
    with duckdb.connect(str(published.serving), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def _items(html: str, key: str) -> list[str]:
    block = re.search(rf'<ul id="summary-{key}">(.*?)</ul>', html, re.S)
    assert block, f"the summary has no {key} list"
    return [unescape(x) for x in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def _names(published: Published) -> dict[str, str]:
    return dict(_query(published, "select city_code, city_name_zh from dim_city"))


def _platforms(published: Published) -> dict[str, str]:
    """The report's own platform labels (presentation, not data: the statements are checked by SQL)."""
    platforms = {row[0] for row in _query(published, "select platform from dim_platform")}
    return {p: PLATFORM_ZH[p] for p in platforms}


def _version(published: Published) -> str:
    return _query(
        published, "select methodology_version from eval_run where run_id = ?", published.files.run_id
    )[0][0]


def test_the_report_is_of_the_official_run_and_opens_with_the_summary(published: Published) -> None:
    official = _query(
        published,
        "select run_id from eval_run where period = ? and is_official and methodology_version = ?",
        PERIOD,
        _version(published),
    )
    assert official == [(published.files.run_id,)]
    html = published.html
    assert html.index('id="summary"') < html.index('id="ranking"')
    assert published.files.summary.sentences() and all(
        s in html for s in map(escape, published.files.summary.sentences())
    )


def test_leaders_are_the_rank_one_cities_with_their_lead(published: Published) -> None:
    names = _names(published)
    rows = _query(
        published,
        """
        select composite, city_code, round(score, 1), rank,
               round(score - lead(score) over (partition by composite order by rank, city_code), 1)
        from eval_composite_score where run_id = ? order by composite, rank, city_code
        """,
        published.files.run_id,
    )
    leaders = _items(published.html, "leaders")
    zh = {"overall": "综合传播力指数", "domestic": "国内传播力指数", "overseas": "海外传播力指数"}
    expected = 0
    for composite, code, score, rank, gap in rows:
        if rank != 1:
            continue
        firsts = [r for r in rows if r[0] == composite and r[3] == 1]
        if len(firsts) > 1:
            continue  # ties are checked by their own sentence form below
        expected += 1
        second = next(r for r in rows if r[0] == composite and r[3] > 1)
        sentence = f"{zh[composite]}第一：{names[code]}（{score:.1f} 分），领先第二名{names[second[1]]} {gap:.1f} 分。"
        assert sentence in leaders, (sentence, leaders)
    assert expected >= 2 and len(leaders) == len({r[0] for r in rows})


def test_movers_are_the_largest_anchored_changes_against_the_previous_official_month(
    published: Published,
) -> None:
    names = _names(published)
    rows = _query(
        published,
        """
        with now as (
            select city_code, anchored_score, rank from eval_composite_score
            where run_id = ? and composite = 'overall'
        ), before as (
            select city_code, anchored_score, rank from eval_composite_score
            where period = ? and is_official and methodology_version = ? and composite = 'overall'
        )
        select now.city_code, round(before.anchored_score, 1), round(now.anchored_score, 1),
               now.anchored_score - before.anchored_score as delta, before.rank, now.rank
        from now join before on now.city_code = before.city_code
        where now.anchored_score is not null and before.anchored_score is not null
        """,
        published.files.run_id,
        PREVIOUS,
        _version(published),
    )
    assert rows, "the sample's two months should be comparable"
    movers = _items(published.html, "movers")
    ups = sorted((r for r in rows if r[3] >= 0.05), key=lambda r: (-r[3], r[0]))
    downs = sorted((r for r in rows if r[3] <= -0.05), key=lambda r: (r[3], r[0]))
    for found, verb in ((ups, "上升最多"), (downs, "下降最多")):
        if found:
            code, before, now, delta = found[0][:4]
            sign = "+" if delta > 0 else "−"
            text = f"{names[code]}综合得分（锚定）{verb}：{before:.1f} → {now:.1f}，{sign}{abs(round(delta, 1)):.1f} 分。"
            assert any(text in m for m in movers), (text, movers)
        else:
            assert not any(verb in m for m in movers)
    changed = [r for r in rows if r[4] != r[5]]
    for code, *_rest, rank_before, rank_now in changed:
        assert any(f"{names[code]}第 {rank_before} → 第 {rank_now} 名" in m for m in movers)
    if not changed:
        assert "综合排名与上月相同。" in movers


def test_each_city_strongest_and_weakest_dimension_against_the_median(published: Published) -> None:
    names, platforms = _names(published), _platforms(published)
    rows = _query(
        published,
        """
        with scored as (
            select d.city_code, d.platform, d.dimension, d.dimension_zh, d.score
            from eval_dimension_score as d
            inner join eval_input as i
                on d.run_id = i.run_id and d.city_code = i.city_code and d.platform = i.platform
            where d.run_id = ? and i.has_account and d.score is not null
        ), medians as (
            select platform, dimension, median(score) as median_score from scored group by platform, dimension
        ), deviations as (
            select s.*, s.score - m.median_score as deviation
            from scored as s inner join medians as m on s.platform = m.platform and s.dimension = m.dimension
        ), no_data as (
            select city_code from eval_input where run_id = ? and has_account group by city_code
            having bool_and(posts = 0 and followers_start is null and followers_end is null)
        )
        select city_code, platform, dimension_zh, round(deviation, 1), city_code in (select * from no_data),
               row_number() over (partition by city_code order by deviation desc, platform, dimension),
               row_number() over (partition by city_code order by deviation, platform, dimension)
        from deviations
        """,
        published.files.run_id,
        published.files.run_id,
    )
    cities = _items(published.html, "cities")
    checked = 0
    for code in sorted({r[0] for r in rows}):
        own = [r for r in rows if r[0] == code]
        line = next(c for c in cities if c.startswith(f"{names[code]}："))
        if own[0][4]:
            assert line == f"{names[code]}：本月没有数据，不作比较。"
            continue
        best = next(r for r in own if r[5] == 1)
        worst = next(r for r in own if r[6] == 1)
        assert f"最强项 {platforms[best[1]]}·{best[2]}（" in line, (best, line)
        assert f"最弱项 {platforms[worst[1]]}·{worst[2]}（" in line, (worst, line)
        for row, kind in ((best, "最强项"), (worst, "最弱项")):
            deviation = row[3]
            said = line.split(kind, 1)[1].split("）", 1)[0]
            if deviation >= 0.05:
                assert f"高于中位数 {deviation:.1f} 分" in said
            elif deviation <= -0.05:
                assert f"低于中位数 {-deviation:.1f} 分" in said
            else:
                assert "与中位数持平" in said
        checked += 1
    assert checked >= 3 and len(cities) == len({r[0] for r in rows})


def test_caveats_name_the_platforms_with_little_matured_data_and_the_uncovered_ones(
    published: Published,
) -> None:
    platforms = _platforms(published)
    matured = _query(
        published,
        """
        select platform, sum(posts), sum(posts_with_metrics) from eval_input
        where run_id = ? and has_account group by platform
        """,
        published.files.run_id,
    )
    caveats = _items(published.html, "caveats")
    about_maturity = [c for c in caveats if "发布后 7 天" in c]
    for platform, posts, with_metrics in matured:
        said = [c for c in about_maturity if c.startswith(f"{platforms[platform]}：")]
        if posts and with_metrics < 0.8 * posts:
            assert len(said) == 1 and f"{posts:,} 条作品" in said[0], (platform, caveats)
        else:
            assert said == [], (platform, said)
    for (platform,) in _query(
        published,
        "select platform from eval_platform_coverage where run_id = ? and not is_covered",
        published.files.run_id,
    ):
        assert any(c.startswith(f"{platforms[platform]}：") and "未计入综合指数" in c for c in caveats)


def _hot_post_cells(platform: str) -> str:
    """The title cells of ``platform``'s rows in the hot-posts table."""
    name = re.escape(escape(PLATFORM_ZH[platform]))
    return rf'<td class="t">{name}</td><td class="t">(.*?)</td>'


def test_counts_are_integers_and_hot_posts_show_titles_with_safe_links(published: Published) -> None:
    html = published.html
    coverage = html[html.index("八、数据覆盖与说明") : html.index('id="method"')]
    assert not re.search(r"<td[^>]*>\d+\.0</td>", coverage)
    posts = html[html.index('id="top-posts"') : html.index("八、数据覆盖与说明")]
    hrefs = re.findall(r'href="([^"]*)"', posts)
    assert hrefs and all(unescape(h).startswith(("https://", "http://")) for h in hrefs)
    shown = {
        platform: [unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells]
        for platform, cells in (
            ("weibo", re.findall(_hot_post_cells("weibo"), posts)),
            ("x", re.findall(_hot_post_cells("x"), posts)),
        )
    }
    ids = {
        row[0] for row in _query(published, "select post_id from dim_post where platform in ('weibo', 'x')")
    }
    for platform, labels in shown.items():
        assert labels, f"no {platform} hot posts in the sample's report"
        assert not any(label in ids for label in labels), f"{platform} posts shown as bare ids"


def test_post_links_are_only_web_addresses_and_labels_never_bare_ids() -> None:
    assert _post_link("看", "javascript:alert(1)") == "看"
    assert _post_link("看", " JaVaScRiPt:alert(1)") == "看"
    assert _post_link("<b>", "file:///etc/passwd") == "&lt;b&gt;"
    assert _post_link("a", 'https://e.x/?q="><script>') == (
        '<a href="https://e.x/?q=&quot;&gt;&lt;script&gt;" rel="noopener noreferrer">a</a>'
    )
    row = {
        "platform": "weibo",
        "post_id": "5012345678901234",
        "title": None,
        "text": "  【成都】 熊猫\n基地  ",
    }
    assert _post_label(row) == "【成都】 熊猫 基地"
    row = {
        "platform": "x",
        "post_id": "1790000000000000001",
        "title": None,
        "text": None,
        "published_at": None,
    }
    assert _post_label(row) == f"{PLATFORM_ZH['x']}作品"
    row["published_at"] = datetime(2026, 10, 3, 4, tzinfo=UTC)
    assert _post_label(row) == f"{PLATFORM_ZH['x']}作品（2026-10-03 发布）"


@needs_chromium
def test_the_pdf_is_printed_beside_the_html_with_pages_and_cjk_fonts(published: Published) -> None:
    pdf = published.files.pdf
    assert pdf is not None and pdf == published.files.html.with_suffix(".pdf") and pdf.exists()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF") and len(data) > 50_000
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages >= 4, f"{pages} pages"
    # the Chinese text is drawn with an embedded CJK font, not boxes
    assert re.search(rb"/FontName\s*/[A-Z]{6}\+NotoSansCJK", data)


@needs_chromium
def test_the_report_renders_offline_with_formulas_and_a_six_month_trend(
    published: Published, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import sync_playwright

    path = published.files.html
    shot = tmp_path_factory.mktemp("report-shot") / "summary.png"
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: requests.append(r.url))
        page.emulate_media(media="print")
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        formulas = page.locator("#method ~ math, table.method math")
        sizes = [formulas.nth(i).bounding_box() for i in range(formulas.count())]
        axis = page.locator("#trend ~ svg").first.locator("text").all_text_contents()
        lines = page.locator("#trend ~ svg").first.locator("polyline").count()
        page.locator("#summary").screenshot(path=str(shot))
        browser.close()
    assert errors == [] and requests == [path.as_uri()]
    # MathML laid out as formulas (a fraction is taller than a line of text), not as raw text
    assert len(sizes) >= 9 and all(box and box["width"] > 10 for box in sizes)
    assert max(box["height"] for box in sizes if box) > 30
    months = [t for t in axis if re.fullmatch(r"\d{4}-\d{2}", t)]
    assert months == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert lines >= 3  # the sample's cities with data each draw a line over the two evaluated months
    assert shot.stat().st_size > 20_000


def test_the_monthly_notification_carries_the_pdf_and_the_summary(published: Published) -> None:
    (message,) = published.mails.messages
    mail = email.message_from_bytes(message["data"], policy=email.policy.default)
    assert f"Monthly report {PERIOD}" in mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert published.files.summary.leaders[0] in body
    attachments = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
    if published.files.pdf is not None:
        assert attachments == {published.files.pdf.name: published.files.pdf.read_bytes()}
    (hook,) = published.hooks
    assert hook.body["event"] == "monthly_report"
    assert hook.body["facts"]["报告 HTML"] == str(published.files.html)
    assert hook.body["highlights"][0] == published.files.summary.leaders[0]
    if published.files.pdf is not None:
        assert hook.body["attachments"] == [
            {"name": published.files.pdf.name, "path": str(published.files.pdf), "url": None}
        ]
