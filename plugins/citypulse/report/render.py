"""``write_report``: the evaluation report of a period, from its frozen official run, as HTML and
(printed by headless Chromium) PDF beside it.

Everything shown comes from the run folder (and earlier official runs for the trend and the
summary's month-on-month changes), never from the live warehouse, so a report re-rendered later
shows the same numbers. Scores are shown with 2 decimals (1 in the summary), rounded half-up here
only; ranks come from the unrounded scores.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from citypulse.diagnostics.report_section import section as diagnostics_section
from citypulse.errors import CityPulseError
from citypulse.evaluation import registry
from citypulse.evaluation.frozen import run_dir
from citypulse.evaluation.methodology import DEFAULT_VERSION
from citypulse.evaluation.period import Period
from citypulse.report import method, robustness_section, summary, svg
from citypulse.report.labels import COMPOSITE_ZH, PLATFORM_ZH
from citypulse.report.pdf import chromium, print_pdf
from citypulse.settings import LOCAL_TZ, Settings

log = logging.getLogger("citypulse.report")
DIMENSIONS = (
    ("activity", "活跃度"),
    ("reach", "传播范围"),
    ("influence", "影响力"),
    ("engagement", "用户参与度"),
)
THEMES = (
    ("b", "城市音乐 BGM"),
    ("e", "本地饮食 Eating"),
    ("s", "景观景色 Scenery"),
    ("t", "科技感 Technology"),
)
TREND_MONTHS = 6
TITLE_CHARS = 60  # a post's text shown in place of a missing title is cut here

CSS = """
body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif;margin:2rem auto;
max-width:980px;color:#222;line-height:1.5;padding:0 1rem}
h1{border-bottom:3px solid #c0392b;padding-bottom:.3rem}h2{margin-top:2.2rem;border-left:5px solid #c0392b;
padding-left:.5rem}table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}th{background:#f6f6f6}
td.t,th.t{text-align:left}.meta{color:#555;font-size:13px}.note{background:#fffbe6;border:1px solid #f0e0a0;
padding:.6rem 1rem;font-size:14px}.up{color:#229954}.down{color:#c0392b}
#summary{background:#f7f9fc;border:1px solid #d6e0ee;padding:.4rem 1.2rem 1rem}#summary h2{margin-top:.8rem}
#summary h3{font-size:15px;margin:.8rem 0 .2rem}#summary ul{margin:.2rem 0;padding-left:1.3rem}
.posts td{white-space:nowrap}.posts td:nth-child(3){white-space:normal}
math[display=block]{margin:.5rem 0;font-size:17px}td.formula{font-size:15px}
@page{size:A4;margin:14mm 12mm}
@media print{body{margin:0;max-width:none;font-size:12.5px}h2,h3{break-after:avoid}
table,svg,.composite,#summary,math{break-inside:avoid}a{color:#1f4e8c;text-decoration:none}}
"""


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return str(Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _read(folder: Path, name: str) -> pl.DataFrame:
    path = folder / f"{name}.parquet"
    return pl.read_parquet(path) if path.exists() else pl.DataFrame()


def _city_names(settings: Settings) -> dict[str, str]:
    seed = settings.dbt_project / "seeds" / "cities.csv"
    if not seed.exists():
        return {}
    frame = pl.read_csv(seed, infer_schema=False)
    return dict(zip(frame["city_code"].to_list(), frame["city_name_zh"].to_list(), strict=True))


def _table(headers: list[str], rows: Sequence[Sequence[str | None]], text_columns: int = 1) -> str:
    head = "".join(
        f'<th class="{"t" if i < text_columns else ""}">{escape(h)}</th>' for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td class="{"t" if i < text_columns else ""}">{cell}</td>' for i, cell in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rank_change(value: int | None) -> str:
    if value is None:
        return "—"
    if value > 0:
        return f'<span class="up">↑{value}</span>'
    if value < 0:
        return f'<span class="down">↓{-value}</span>'
    return "＝"


def _composite_section(comp: pl.DataFrame, names: dict[str, str], composite: str) -> str:
    rows = comp.filter(composite=composite).sort("rank", "city_code")
    if rows.is_empty():
        return f"<p>{COMPOSITE_ZH[composite]}：本期无覆盖达标的平台，未计算。</p>"
    table = _table(
        ["排名", "城市", "得分", "较上期"],
        [
            [
                str(r["rank"]),
                escape(names.get(r["city_code"], r["city_code"])),
                fmt(r["score"]),
                _rank_change(r["rank_change"]),
            ]
            for r in rows.iter_rows(named=True)
        ],
        text_columns=2,
    )
    chart = svg.hbar(
        [(names.get(r["city_code"], r["city_code"]), r["score"]) for r in rows.iter_rows(named=True)]
    )
    return f'<div class="composite" id="composite-{composite}">{table}{chart}</div>'


def _official_run(settings: Settings, period: str, version: str | None) -> str | None:
    if version is not None:
        return registry.official_run(settings.evaluations, period, version)
    official = registry.runs(settings.evaluations).filter(period=period, is_official=True)
    preferred = official.filter(methodology_version=DEFAULT_VERSION)
    chosen = preferred if preferred.height else official
    return None if chosen.is_empty() else str(chosen["run_id"][-1])


def _trend_section(settings: Settings, period: Period, version: str, names: dict[str, str]) -> str:
    periods, frames = [], []
    p = period
    for _ in range(TREND_MONTHS):
        periods.append(str(p))
        run = registry.official_run(settings.evaluations, str(p), version)
        if run:
            comp = _read(run_dir(settings.evaluations, run), "eval_composite_score").filter(
                composite="overall"
            )
            frames.append(comp.select("city_code", "anchored_score").with_columns(period=pl.lit(str(p))))
        p = p.previous()
    if not frames:
        return "<p>无历史官方评估。</p>"
    periods.reverse()
    data = pl.concat(frames)
    evaluated = set(data["period"].to_list())
    series: dict[str, Sequence[float | None]] = {}
    for code in sorted(data["city_code"].unique().to_list()):
        by_period = dict(
            zip(
                *data.filter(city_code=code)
                .select("period", "anchored_score")
                .to_dict(as_series=False)
                .values(),
                strict=True,
            )
        )
        series[names.get(code, code)] = [by_period.get(x) for x in periods]
    missing = [x for x in periods if x not in evaluated]
    note = (
        f'<p class="meta">近 {TREND_MONTHS} 个月综合传播力指数的锚定模式（固定目标值）得分：'
        "城市增减不影响其他城市的分数，可跨月比较；排名使用当月相对模式（P5/P95）。"
        + (f"{'、'.join(missing)} 无官方评估。" if missing else "")
        + "</p>"
    )
    # legend and table list the cities by their latest score, best first
    latest = {
        name: next((v for v in reversed(values) if v is not None), -1.0) for name, values in series.items()
    }
    series = dict(sorted(series.items(), key=lambda item: (-latest[item[0]], item[0])))
    shown = [i for i, x in enumerate(periods) if x in evaluated]
    table = _table(
        ["城市", *(periods[i] for i in shown)],
        [[escape(name), *(fmt(values[i]) for i in shown)] for name, values in series.items()],
    )
    return note + svg.lines(periods, series) + table


def _post_label(row: dict[str, object]) -> str:
    """What a reader recognises a post by: its title, else the start of its text (Weibo and X posts
    have no title), else the platform and the day it was published; never a bare platform id."""
    for key in ("title", "text"):
        value = " ".join(str(row.get(key) or "").split())
        if value:
            return value if len(value) <= TITLE_CHARS else value[: TITLE_CHARS - 1] + "…"
    platform = str(row["platform"])
    published = row.get("published_at")
    label = f"{PLATFORM_ZH.get(platform, platform)}作品"
    return f"{label}（{_local_day(published)} 发布）" if isinstance(published, datetime) else label


def _local_day(moment: datetime) -> str:
    """The day in Beijing time, as the report's periods are."""
    return f"{moment.astimezone(ZoneInfo(LOCAL_TZ)):%Y-%m-%d}" if moment.tzinfo else f"{moment:%Y-%m-%d}"


def _post_link(label: str, url: object) -> str:
    """The escaped label, linked only to an http(s) address (never ``javascript:`` or a local path)."""
    href = str(url or "").strip()
    if href.lower().startswith(("https://", "http://")):
        return f'<a href="{escape(href)}" rel="noopener noreferrer">{escape(label)}</a>'
    return escape(label)


def _summary_section(
    settings: Settings,
    run: dict[str, pl.DataFrame],
    manifest: dict[str, object],
    the_period: Period,
    version: str,
    names: dict[str, str],
) -> tuple[str, summary.Summary]:
    previous_period = the_period.previous()
    previous_run = registry.official_run(settings.evaluations, str(previous_period), version)
    previous = (
        _read(run_dir(settings.evaluations, previous_run), "eval_composite_score") if previous_run else None
    )
    facts = summary.build(
        run["comp"], run["dims"], run["inp"], run["cover"], manifest, previous, str(previous_period), names
    )
    parts = ['<section id="summary"><h2>执行摘要</h2>']
    for key, title, sentences in (
        ("leaders", "谁领先", facts.leaders),
        ("movers", "较上月变化", facts.movers),
        ("cities", "各城市强项与短板（与中位数城市相比）", facts.cities),
        ("caveats", "数据提示", facts.caveats),
    ):
        if sentences:
            items = "".join(f"<li>{escape(x)}</li>" for x in sentences)
            parts.append(f'<h3>{title}</h3><ul id="summary-{key}">{items}</ul>')
    parts.append("</section>")
    return "".join(parts), facts


def render(settings: Settings, period: str, methodology_version: str | None = None) -> str:
    """The report's HTML for the official run of ``period`` (under ``methodology_version``, or the
    current default version's run, or else the period's only official run)."""
    return _render(settings, period, methodology_version)[0]


def _render(settings: Settings, period: str, methodology_version: str | None) -> tuple[str, summary.Summary]:
    the_period = Period.parse(period)
    run_id = _official_run(settings, period, methodology_version)
    if run_id is None:
        raise CityPulseError(
            f"no official evaluation run for {period}: run `citypulse evaluate --period {period}`"
        )
    folder = run_dir(settings.evaluations, run_id)
    manifest = _read(folder, "eval_run").row(0, named=True)
    comp, plat = _read(folder, "eval_composite_score"), _read(folder, "eval_platform_score")
    dims, inp = _read(folder, "eval_dimension_score"), _read(folder, "eval_input")
    cover, supp = _read(folder, "eval_platform_coverage"), _read(folder, "eval_supplementary")
    top, weights = _read(folder, "source_top_posts"), _read(folder, "config_indicators")
    names = _city_names(settings)
    version = str(manifest["methodology_version"])
    summary_html, facts = _summary_section(
        settings,
        {"comp": comp, "dims": dims, "inp": inp, "cover": cover},
        manifest,
        the_period,
        version,
        names,
    )

    def city(code: str) -> str:
        return escape(names.get(code) or code)

    out = [
        f"<h1>城市传播力指数月度评估报告 · {escape(period)}</h1>",
        f'<p class="meta">评估期：{the_period.first_day} 至 {the_period.next_first_day}（不含，北京时间）；'
        f'方法版本 {escape(manifest["methodology_version"])}；运行编号 <code id="run-id">{escape(run_id)}</code>；'
        f"配置 SHA-256 <code>{escape(manifest['config_sha256'][:16])}…</code>；代码版本 "
        f"<code>{escape(str(manifest['git_commit'])[:12])}</code>；数据截止 {manifest['input_cutoff']:%Y-%m-%d %H:%M} UTC。</p>",
    ]

    out.append(summary_html)
    out.append('<h2 id="ranking">一、综合排名</h2>' + _composite_section(comp, names, "overall"))
    out.append("<h2>二、国内与海外</h2>")
    for composite in ("domestic", "overseas"):
        out.append(f"<h3>{COMPOSITE_ZH[composite]}</h3>" + _composite_section(comp, names, composite))

    out.append("<h2>三、分平台传播力（PCI）</h2>")
    for platform in sorted(plat["platform"].unique().to_list()) if plat.height else []:
        rows = plat.filter(platform=platform, has_account=True).sort("rank", "city_code")
        if rows.is_empty():
            continue
        d = dims.filter(platform=platform)
        table_rows = []
        for r in rows.iter_rows(named=True):
            cells = [str(r["rank"]), city(r["city_code"]), fmt(r["score"])]
            for key, _zh in DIMENSIONS:
                hit = d.filter(city_code=r["city_code"], dimension=key)["score"]
                cells.append(fmt(hit[0]) if hit.len() else "—")
            table_rows.append(cells)
        out.append(
            f"<h3>{escape(PLATFORM_ZH.get(platform, platform))}</h3>"
            + _table(["排名", "城市", "平台得分"] + [zh for _k, zh in DIMENSIONS], table_rows, 2)
        )

    out.append("<h2>四、各城市维度得分</h2>")
    for code in sorted(dims["city_code"].unique().to_list()) if dims.height else []:
        d = dims.filter(city_code=code)
        dim_rows = [
            [escape(PLATFORM_ZH.get(p, p))]
            + [
                fmt(hit[0]) if (hit := d.filter(platform=p, dimension=k)["score"]).len() else "—"
                for k, _ in DIMENSIONS
            ]
            for p in sorted(d["platform"].unique().to_list())
        ]
        out.append(f"<h3>{city(code)}</h3>" + _table(["平台"] + [zh for _k, zh in DIMENSIONS], dim_rows))

    out.append(
        '<h2 id="trend">五、趋势（锚定模式）</h2>' + _trend_section(settings, the_period, version, names)
    )

    out.append("<h2>六、BEST 主题结构</h2>")
    best = (
        supp.filter(pl.col("measure").str.starts_with("best_share_") | (pl.col("measure") == "h_best"))
        if supp.height
        else supp
    )
    for platform in sorted(best["platform"].unique().to_list()) if best.height else []:
        b = best.filter(platform=platform)
        items: list[tuple[str, list[float]]] = []
        best_rows: list[list[str]] = []
        for code in sorted(b["city_code"].unique().to_list()):
            shares = [
                float(b.filter(city_code=code, measure=f"best_share_{t}")["value"].sum()) for t, _ in THEMES
            ]
            h = b.filter(city_code=code, measure="h_best")["value"]
            items.append((names.get(code, code), shares))
            best_rows.append(
                [city(code)] + [fmt(100 * s) + "%" for s in shares] + [fmt(h[0]) if h.len() else "—"]
            )
        out.append(
            f"<h3>{escape(PLATFORM_ZH.get(platform, platform))}</h3>"
            + _table(["城市"] + [n for _t, n in THEMES] + ["均衡度 H_BEST"], best_rows)
            + svg.stacked(items, [n for _t, n in THEMES])
        )

    out.append('<h2 id="top-posts">七、热门作品</h2>')
    if top.height:
        post_rows = [
            [
                city(r["city_code"]),
                escape(PLATFORM_ZH.get(r["platform"], r["platform"])),
                _post_link(_post_label(r), r["post_url"]),
                _local_day(r["published_at"]) if r["published_at"] is not None else "—",
                f"{r['views']:,}" if r["views"] is not None else "—",
                f"{r['engagements']:,}" if r.get("engagements") is not None else "—",
            ]
            for r in top.iter_rows(named=True)
        ]
        out.append(
            '<div class="posts">'
            + _table(["城市", "平台", "作品", "发布日期", "播放/阅读（发布后7天）", "互动量"], post_rows, 4)
            + "</div>"
        )
    else:
        out.append("<p>本期无官方账号作品。</p>")

    out.append("<h2>八、数据覆盖与说明</h2>")
    if cover.height:
        out.append(
            _table(
                ["平台", "有账号城市", "城市总数", "覆盖率", "计入综合指数"],
                [
                    [
                        escape(PLATFORM_ZH.get(r["platform"], r["platform"])),
                        f"{int(r['cities_with_account']):,}",
                        f"{int(r['panel_cities']):,}",
                        fmt(100 * r["coverage"]) + "%",
                        "是" if r["is_covered"] else "否（覆盖不足）",
                    ]
                    for r in cover.sort("platform").iter_rows(named=True)
                ],
            )
        )
    caveats = []
    if inp.height:
        partial = inp.filter(pl.col("has_account") & (pl.col("posts_with_metrics") < pl.col("posts")))
        for r in partial.iter_rows(named=True):
            caveats.append(
                f"{city(r['city_code'])} · {escape(PLATFORM_ZH.get(r['platform'], r['platform']))}："
                f"{int(r['posts']):,} 条作品中 {int(r['posts_with_metrics']):,} 条有发布后7天内的数据。"
            )
    if manifest.get("allow_incomplete") and manifest.get("missing_accounts"):
        caveats.append(
            "本次评估在数据不完整时运行（--allow-incomplete）：" + escape(str(manifest["missing_accounts"]))
        )
    caveats.append(
        "无账号的城市在该平台计 0 分，且不参与该平台的归一化；覆盖率低于阈值的平台不计入综合指数。"
    )
    frozen_settings = _read(folder, "config_settings")
    data_coverage = (
        frozen_settings.filter(setting="min_data_coverage")["value"]
        if "setting" in frozen_settings.columns
        else pl.Series([])
    )
    if data_coverage.len():
        caveats.append(
            "某指标在所有城市都没有数据时不参与该平台，权重按其余指标重新分配；某城市已知数值的作品少于 "
            f"{round(100 * float(data_coverage[0]))}% 时该指标记为数据不足（空），不计 0 分；"
            "补充指标（BEST、搜索占比、话题、热搜）权重为 0。"
        )
    else:
        caveats.append(
            "指标为空（平台未公开）时该城市该指标计 0 分；补充指标（BEST、搜索占比、话题、热搜）权重为 0。"
        )
    out.append('<div class="note"><ul>' + "".join(f"<li>{c}</li>" for c in caveats) + "</ul></div>")

    out.append(method.section(weights, _read(folder, "config_settings"), version))
    out.append(robustness_section.section(folder, city))
    out.append(diagnostics_section(folder, city))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>城市传播力指数 {escape(period)}</title><style>{CSS}</style></head><body>"
        + "\n".join(out)
        + f'<p class="meta">生成于 {generated} · 城市脉搏 CityPulse</p></body></html>',
        facts,
    )


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path | None  # None when no Chromium is installed to print it
    run_id: str
    summary: summary.Summary


def write_report_files(
    settings: Settings, period: str, out: Path, methodology_version: str | None = None
) -> ReportFiles:
    """Write the report of ``period`` to ``out`` and its PDF beside it (same name, ``.pdf``); each
    file is written to a temp name and renamed, so readers never see half a report."""
    html, facts = _render(settings, period, methodology_version)
    run_id = _official_run(settings, period, methodology_version) or ""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    pdf: Path | None = None
    if chromium() is None:
        log.warning(
            "report %s: no Chromium installed, so no PDF (apt-get install chromium fonts-noto-cjk)", period
        )
    else:
        pdf = print_pdf(out, out.with_suffix(".pdf"))
    return ReportFiles(out, pdf, run_id, facts)


def write_report(settings: Settings, period: str, out: Path) -> Path:
    """Write the report of ``period`` to ``out`` (and its PDF beside it); return the HTML's path."""
    return write_report_files(settings, period, out).html
