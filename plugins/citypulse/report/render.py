"""``write_report``: the evaluation report of a period, from its frozen official run.

Everything shown comes from the run folder (and earlier official runs for the trend), never from
the live warehouse, so a report re-rendered later shows the same numbers. Scores are shown with
2 decimals, rounded half-up here only; ranks come from the unrounded scores.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from html import escape
from pathlib import Path

import polars as pl

from citypulse.diagnostics.report_section import section as diagnostics_section
from citypulse.errors import CityPulseError
from citypulse.evaluation import registry
from citypulse.evaluation.frozen import run_dir
from citypulse.evaluation.period import Period
from citypulse.report import svg
from citypulse.settings import Settings

PLATFORM_ZH = {
    "douyin": "抖音",
    "weibo": "微博",
    "youtube": "YouTube",
    "x": "X",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "tiktok": "TikTok",
}
COMPOSITE_ZH = {"overall": "综合传播力指数", "domestic": "国内传播力指数", "overseas": "海外传播力指数"}
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
TREND_MONTHS = 12

CSS = """
body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei','PingFang SC',sans-serif;margin:2rem auto;
max-width:980px;color:#222;line-height:1.5;padding:0 1rem}
h1{border-bottom:3px solid #c0392b;padding-bottom:.3rem}h2{margin-top:2.2rem;border-left:5px solid #c0392b;
padding-left:.5rem}table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:14px}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}th{background:#f6f6f6}
td.t,th.t{text-align:left}.meta{color:#555;font-size:13px}.note{background:#fffbe6;border:1px solid #f0e0a0;
padding:.6rem 1rem;font-size:14px}.up{color:#229954}.down{color:#c0392b}
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


def _trend_section(settings: Settings, period: Period, version: str, names: dict[str, str]) -> str:
    periods, frames = [], []
    p = period
    for _ in range(TREND_MONTHS):
        run = registry.official_run(settings.evaluations, str(p), version)
        if run:
            comp = _read(run_dir(settings.evaluations, run), "eval_composite_score").filter(
                composite="overall"
            )
            periods.append(str(p))
            frames.append(comp.select("city_code", "anchored_score").with_columns(period=pl.lit(str(p))))
        p = p.previous()
    if not frames:
        return "<p>无历史官方评估。</p>"
    periods.reverse()
    data = pl.concat(frames)
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
    note = (
        '<p class="meta">趋势使用锚定模式（固定目标值）得分：城市增减不影响其他城市的分数，'
        "可跨月比较；排名使用当月相对模式（P5/P95）。</p>"
    )
    return note + svg.lines(periods, series)


def render(settings: Settings, period: str, methodology_version: str = "v1") -> str:
    """The report's HTML for the official run of ``period``."""
    the_period = Period.parse(period)
    run_id = registry.official_run(settings.evaluations, period, methodology_version)
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

    def city(code: str) -> str:
        return escape(names.get(code) or code)

    out = [
        f"<h1>城市传播力指数月度评估报告 · {escape(period)}</h1>",
        f'<p class="meta">评估期：{the_period.first_day} 至 {the_period.next_first_day}（不含，北京时间）；'
        f'方法版本 {escape(manifest["methodology_version"])}；运行编号 <code id="run-id">{escape(run_id)}</code>；'
        f"配置 SHA-256 <code>{escape(manifest['config_sha256'][:16])}…</code>；代码版本 "
        f"<code>{escape(str(manifest['git_commit'])[:12])}</code>；数据截止 {manifest['input_cutoff']:%Y-%m-%d %H:%M} UTC。</p>",
    ]

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
        "<h2>五、趋势（锚定模式）</h2>" + _trend_section(settings, the_period, methodology_version, names)
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

    out.append("<h2>七、热门作品</h2>")
    if top.height:
        post_rows = [
            [
                city(r["city_code"]),
                escape(PLATFORM_ZH.get(r["platform"], r["platform"])),
                (
                    f'<a href="{escape(r["post_url"])}" rel="noopener noreferrer">{escape(r["title"] or r["post_id"])}</a>'
                    if r["post_url"]
                    else escape(r["title"] or r["post_id"])
                ),
                f"{r['views']:,}" if r["views"] is not None else "—",
            ]
            for r in top.iter_rows(named=True)
        ]
        out.append(_table(["城市", "平台", "作品", "播放/阅读（发布后7天）"], post_rows, 3))
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
                        str(r["cities_with_account"]),
                        str(r["panel_cities"]),
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
                f"{r['posts']} 条作品中 {r['posts_with_metrics']} 条有发布后7天内的数据。"
            )
    if manifest.get("allow_incomplete") and manifest.get("missing_accounts"):
        caveats.append(
            "本次评估在数据不完整时运行（--allow-incomplete）：" + escape(str(manifest["missing_accounts"]))
        )
    caveats.append(
        "无账号的城市在该平台计 0 分，且不参与该平台的归一化；覆盖率低于阈值的平台不计入综合指数。"
    )
    caveats.append(
        "指标为空（平台未公开）时该城市该指标计 0 分；补充指标（BEST、搜索占比、话题、热搜）权重为 0。"
    )
    out.append('<div class="note"><ul>' + "".join(f"<li>{c}</li>" for c in caveats) + "</ul></div>")

    out.append("<h2>九、方法</h2>")
    if weights.height:
        out.append(
            _table(
                ["指标", "维度", "变换", "权重"],
                [
                    [
                        escape(f"{r['indicator']} {r['indicator_zh']}"),
                        escape(r["dimension_zh"]),
                        escape(r["transform"]),
                        fmt(r["weight"]),
                    ]
                    for r in weights.sort("indicator").iter_rows(named=True)
                ],
                3,
            )
        )
    out.append(
        '<p class="meta">方法 v1：各指标按平台与月份在有账号城市中做 P5/P95 截尾极差标准化（线性插值分位数），'
        "平台得分为指标加权平均（权重在该平台可用指标上重新归一），综合指数为平台固定权重加权平均；"
        "排名为竞争排名（1224），基于未四舍五入的得分。</p>"
    )
    out.append(diagnostics_section(folder, city))
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>城市传播力指数 {escape(period)}</title><style>{CSS}</style></head><body>"
        + "\n".join(out)
        + f'<p class="meta">生成于 {generated} · 城市脉搏 CityPulse</p></body></html>'
    )


def write_report(settings: Settings, period: str, out: Path) -> Path:
    """Write the report of ``period`` to ``out`` (temp file + rename) and return its path."""
    html = render(settings, period)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
