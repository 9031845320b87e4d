"""The report's block on how far the run's numbers can be trusted: which indicators each platform
was scored with (and why others were left out), and each city's 排名区间 under perturbed weights.

Both come from files of the frozen run (eval_indicator_availability, eval_rank_robustness); runs
of versions that did not produce them simply show no block.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

import polars as pl

from citypulse.report.labels import COMPOSITE_ZH, PLATFORM_ZH


def _read(folder: Path, name: str) -> pl.DataFrame | None:
    path = folder / f"{name}.parquet"
    return pl.read_parquet(path) if path.is_file() else None


def availability_html(availability: pl.DataFrame) -> str:
    """One line per platform: the indicators used with their weights, the ones left out and why."""
    # the names come with the run (its frozen config); a run frozen before they did shows the codes
    if "indicator_zh" not in availability.columns:
        availability = availability.with_columns(indicator_zh=pl.lit(None, pl.String))
    availability = availability.with_columns(pl.col("indicator_zh").fill_null(pl.col("indicator")))
    items = []
    for platform in sorted(availability["platform"].unique().to_list()):
        rows = availability.filter(platform=platform, is_defined=True).sort("indicator")
        used = [
            f"{r['indicator_zh']} {r['used_weight']:.0%}"
            for r in rows.filter("is_used").iter_rows(named=True)
        ]
        dropped = [
            f"{r['indicator_zh']}（{r['reason_zh']}）"
            for r in rows.filter(~pl.col("is_used")).iter_rows(named=True)
        ]
        line = f"<b>{escape(PLATFORM_ZH.get(platform, platform))}</b>：采用 " + (
            "、".join(escape(u) for u in used) if used else "无"
        )
        if dropped:
            line += "；未采用 " + "、".join(escape(d) for d in dropped)
        items.append(f"<li>{line}</li>")
    return (
        '<h3>指标取舍</h3><p class="meta">某平台上没有任何城市有数值的指标不参与该平台的计算，'
        "其权重按比例分配给其余指标；某城市某指标的作品数据覆盖率低于阈值时记为数据不足（不计分，"
        "不以部分作品之和代替）。</p><ul>" + "".join(items) + "</ul>"
    )


def intervals_html(intervals: pl.DataFrame, city: Callable[[str], str], spread: float = 0.2) -> str:
    """One sentence per city and composite: its rank and the range it holds in 95 % of the draws."""
    if intervals.is_empty():
        return ""
    draws = int(intervals["draws"][0])
    parts = [
        "<h3>排名区间</h3>"
        f'<p class="meta">在 {draws:,} 次随机扰动下重新排名：指标权重按狄利克雷分布围绕配置权重抽样，'
        f"平台权重在 ±{spread:.0%} 内浮动，标准化方式在 P5/P95 截尾与普通极差之间随机选择；"
        "区间为 95% 的权重设定下的名次范围（P5–P95），随机种子随运行冻结。</p>"
    ]
    for composite in ("overall", "domestic", "overseas"):
        rows = intervals.filter(composite=composite).sort("rank", "city_code")
        if rows.is_empty():
            continue
        sentences = []
        for r in rows.iter_rows(named=True):
            span = (
                f"第 {r['rank_p5']} 名"
                if r["rank_p5"] == r["rank_p95"]
                else f"第 {r['rank_p5']}–{r['rank_p95']} 名"
            )
            sentences.append(
                f"<li>{city(r['city_code'])}：排名第 {r['rank']}，在 95% 的权重设定下位于{span}。</li>"
            )
        parts.append(
            f"<h4>{escape(COMPOSITE_ZH.get(composite, composite))}</h4><ul>" + "".join(sentences) + "</ul>"
        )
    return "".join(parts)


def section(folder: Path, city: Callable[[str], str]) -> str:
    """The block for a run folder; empty for runs without these files."""
    availability = _read(folder, "eval_indicator_availability")
    intervals = _read(folder, "eval_rank_robustness")
    if availability is None and intervals is None:
        return ""
    html = '<section id="robustness"><h2>指标取舍与排名区间</h2>'
    if availability is not None and availability.height:
        html += availability_html(availability)
    if intervals is not None:
        settings = _read(folder, "config_settings")
        spread = (
            settings.filter(setting="robustness_platform_spread")["value"] if settings is not None else None
        )
        html += intervals_html(
            intervals, city, float(spread[0]) if spread is not None and spread.len() else 0.2
        )
    return html + "</section>"
