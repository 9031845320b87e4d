"""The report's section 内容诊断: the run's diag_* measures per city and platform, the near-duplicate
clusters with example posts, the missed trends (opportunities) and the viral alerts.

Read from the run folder only, like the rest of the report; a run made before the diagnostics
existed shows a sentence instead of empty tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path

import polars as pl

from citypulse.diagnostics.run_files import MEASURES_ZH
from citypulse.platforms import PLATFORM_ZH

SHARES = {
    "diag_homogeneity",
    "diag_near_duplicate_share",
    "diag_weekly_updated_share",
    "diag_mean_week_share",
    "diag_coordination_share",
    "diag_trend_leverage_share",
}
ROWS_SHOWN = 20


def _value(measure: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}%" if measure in SHARES else f"{value:,.0f}"


def _table(headers: list[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f'<th class="t">{escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="t">{c}</td>' for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _read(folder: Path, name: str) -> pl.DataFrame | None:
    path = folder / f"{name}.parquet"
    return pl.read_parquet(path) if path.exists() else None


def _link(title: str | None, url: str | None, fallback: str) -> str:
    text = escape(title or fallback)
    # only web addresses become links: never javascript: or a local path from an export
    href = (url or "").strip()
    if href.lower().startswith(("https://", "http://")):
        return f'<a href="{escape(href)}" rel="noopener noreferrer">{text}</a>'
    return text


def section(folder: Path, city: Callable[[str], str]) -> str:
    """HTML of the section for the run in ``folder``; ``city`` renders a city code (escaped)."""
    out = ['<h2 id="diagnostics">十、内容诊断</h2>']
    supp = _read(folder, "eval_supplementary")
    if supp is None or supp.filter(pl.col("measure").str.starts_with("diag_")).is_empty():
        return out[0] + "<p>本次运行未包含内容诊断（运行早于该功能）。</p>"
    diag = supp.filter(pl.col("measure").str.starts_with("diag_"))
    wide = diag.pivot("measure", index=["city_code", "platform"], values="value").sort(
        "city_code", "platform"
    )
    measures = [m for m in MEASURES_ZH if m in wide.columns]
    out.append(
        _table(
            ["城市", "平台", *[MEASURES_ZH[m] for m in measures]],
            [
                [city(r["city_code"]), escape(PLATFORM_ZH.get(r["platform"], r["platform"]))]
                + [_value(m, r[m]) for m in measures]
                for r in wide.iter_rows(named=True)
            ],
        )
    )
    clusters = _read(folder, "diag_clusters")
    out.append("<h3>同质化内容（近重复作品簇示例）</h3>")
    if clusters is not None and clusters.height:
        out.append(
            _table(
                ["城市", "平台", "簇内作品数", "簇内账号数", "示例作品", "账号"],
                [
                    [
                        city(r["city_code"]),
                        escape(PLATFORM_ZH.get(r["platform"], r["platform"])),
                        str(r["cluster_size"]),
                        str(r["cluster_accounts"]),
                        _link(r["title"], r["post_url"], r["post_id"]),
                        escape(r["account_name"] or r["account_id"]),
                    ]
                    for r in clusters.head(ROWS_SHOWN).iter_rows(named=True)
                ],
            )
        )
    else:
        out.append("<p>本期未发现近重复作品。</p>")
    missed = _read(folder, "diag_opportunities")
    out.append("<h3>借势机会（未跟进的相关热点）</h3>")
    if missed is not None and missed.height:
        out.append(
            _table(
                ["城市", "平台", "热点话题", "上榜日期", "阅读量"],
                [
                    [
                        city(r["city_code"]),
                        escape(PLATFORM_ZH.get(r["platform"], r["platform"])),
                        escape(r["topic"]),
                        str(r["trend_day"]),
                        "—" if r["reads"] is None else f"{r['reads']:,}",
                    ]
                    for r in missed.sort("reads", descending=True, nulls_last=True)
                    .head(ROWS_SHOWN)
                    .iter_rows(named=True)
                ],
            )
        )
    else:
        out.append("<p>本期无未跟进的相关热点。</p>")
    alerts = _read(folder, "diag_viral")
    out.append("<h3>爆款预警</h3>")
    if alerts is not None and alerts.height:
        out.append(
            _table(
                ["日期", "城市", "平台", "作品", "播放日增长", "互动日增长"],
                [
                    [
                        str(r["date_day"]),
                        city(r["city_code"] or ""),
                        escape(PLATFORM_ZH.get(r["platform"], r["platform"])),
                        _link(r["title"], r["post_url"], r["post_id"]),
                        "—" if r["views_growth"] is None else f"{r['views_growth']:,}",
                        "—" if r["engagements_growth"] is None else f"{r['engagements_growth']:,}",
                    ]
                    for r in alerts.head(ROWS_SHOWN).iter_rows(named=True)
                ],
            )
        )
    else:
        out.append("<p>本期无爆款预警。</p>")
    out.append(
        '<p class="meta">内容诊断权重为 0，不计入指数。同质化：字符3-gram MinHash 估计的官方作品两两文本相似度均值；'
        "定期更新按当月 ISO 周（周四落在当月）统计；矩阵协同：同一周内被至少两个官方账号使用的话题所覆盖的作品占比；"
        "借势：热点上榜当日及其后24小时内官方账号是否使用该话题；爆款：日增长超过该账号日增长第99百分位。</p>"
    )
    return "\n".join(out)
