"""The report's method section: plain Chinese and typeset formulas (MathML, which Chromium renders
natively: no script, no font to fetch, and it prints to PDF as it shows).

Formulas are written per indicator id of the methodology; an indicator this module does not know
shows the config's own transform text, so a new indicator is never silently misdescribed.
"""

from __future__ import annotations

from html import escape

import polars as pl

from citypulse.report.labels import DIMENSION_ZH


def _math(body: str, block: bool = False) -> str:
    opening = '<math display="block">' if block else "<math>"
    return f"{opening}{body}</math>"


def _frac(top: str, bottom: str) -> str:
    return f"<mfrac><mrow>{top}</mrow><mrow>{bottom}</mrow></mfrac>"


def _sub(base: str, index: str) -> str:
    return f"<msub><mi>{base}</mi><mi>{index}</mi></msub>"


LN = "<mi>ln</mi><mo>&#x2061;</mo>"
DF = '<mi mathvariant="normal">Δ</mi><mi>F</mi>'
F_MEAN = '<mover accent="true"><mi>F</mi><mo>&#x203E;</mo></mover>'


def _ln1p(inner: str) -> str:
    return f"{LN}<mo>(</mo><mn>1</mn><mo>+</mo>{inner}<mo>)</mo>"


# the engagement rate has two cases; a brace does not stretch without a math font, so two formulas
ER_VIEWS = _frac("<mi>E</mi>", "<mi>V</mi>")
ER_FOLLOWERS = _frac("<mi>E</mi>", f"<mi>N</mi><mo>·</mo>{F_MEAN}")
TRANSFORMS = {
    "a": _ln1p(_frac("<mi>N</mi>", "<mi>d</mi>")),
    "r": _ln1p(_frac("<mi>V</mi>", "<mi>d</mi>")),
    "t": _ln1p(_frac("<mi>T</mi>", "<mi>d</mi>")),
    "k": _ln1p(_sub("V", "max")),
    "g": f"<mi>sign</mi><mo>(</mo>{DF}<mo>)</mo><mo>·</mo>{_ln1p(f'<mo>|</mo>{DF}<mo>|</mo>')}",
    "e": _ln1p(_frac("<mi>E</mi>", "<mi>d</mi>")),
}
SYMBOLS = (
    ("N", "当月发布的作品数"),
    ("V", "这些作品发布后 7 天的播放量（阅读量）合计"),
    ("V<sub>max</sub>", "单条作品的最高播放量"),
    ("E", "互动量合计（点赞、评论、分享等，按平台配置）"),
    ("T", "城市话题的当月阅读量"),
    ("ΔF", "粉丝净增长（月末粉丝数 − 月初粉丝数）"),
    ("F̄", "月初与月末粉丝数的平均"),
    ("d", "当月天数"),
)

_XK, _LK, _UK = _sub("x", "k"), _sub("L", "k"), _sub("U", "k")
NORMALISE = _math(
    f"{_sub('s', 'k')}<mo>=</mo><mn>100</mn><mo>×</mo>"
    + _frac(f"{_XK}<mo>−</mo>{_LK}", f"{_UK}<mo>−</mo>{_LK}"),
    block=True,
)
PCI = _math(
    "<mi>平台得分</mi><mo>=</mo>"
    + _frac(
        f"<munder><mo>∑</mo><mi>k</mi></munder>{_sub('w', 'k')}<mo>·</mo>{_sub('s', 'k')}",
        f"<munder><mo>∑</mo><mi>k</mi></munder>{_sub('w', 'k')}",
    ),
    block=True,
)
CCI = _math(
    "<mi>综合指数</mi><mo>=</mo>"
    + _frac(
        f"<munder><mo>∑</mo><mi>p</mi></munder>{_sub('W', 'p')}<mo>·</mo>{_sub('平台得分', 'p')}",
        f"<munder><mo>∑</mo><mi>p</mi></munder>{_sub('W', 'p')}",
    ),
    block=True,
)


def _number(value: object) -> str:
    return f"{float(str(value)):g}"


def section(weights: pl.DataFrame, settings: pl.DataFrame, version: str) -> str:
    """HTML of the method section for the run's frozen config (``config_indicators``,
    ``config_settings``; either may be empty for a run made before they were frozen)."""
    setting = (
        dict(zip(settings["setting"].to_list(), settings["value"].to_list(), strict=True))
        if settings.height and {"setting", "value"} <= set(settings.columns)
        else {}
    )
    q_lo = round(100 * float(setting.get("q_lo", 0.05)))
    q_hi = round(100 * float(setting.get("q_hi", 0.95)))
    coverage = round(100 * float(setting.get("min_coverage", 0.5)))
    maturity = int(float(setting.get("maturity_days", 7)))
    out = [
        '<h2 id="method">九、方法</h2>',
        f"<p>本报告按方法版本 {escape(version)} 计算，每月对每个城市、每个平台分四步：</p>",
        "<ol>"
        f"<li><b>取数。</b>只统计城市官方账号当月发布的作品；每条作品的播放、互动取发布后第 {maturity} 天的数值，"
        "所以每月 8 日才评估上个月。</li>"
        "<li><b>算指标。</b>七个指标衡量发布多少、被看多少、互动多少、粉丝增减。计数类指标先除以当月天数，"
        "再取对数，避免一条爆款压倒一切。</li>"
        f"<li><b>换成 0–100 分。</b>在同一平台有账号的城市之间比较：第 {q_lo} 百分位记作 L，"
        f"第 {q_hi} 百分位记作 U，低于 L 记 0 分，高于 U 记 100 分，中间按比例；所有城市相同时记 50 分。</li>"
        "<li><b>加权汇总。</b>指标按权重合成平台得分，平台再按固定权重合成国内、海外和综合指数。"
        "某平台没有账号的城市该平台记 0 分；"
        f"有账号城市不足 {coverage}% 的平台不计入综合指数。</li>"
        "</ol>",
        NORMALISE,
        PCI,
        CCI,
    ]
    if weights.height:
        rows = []
        order = {k: i for i, k in enumerate((*TRANSFORMS, "q"))}
        ordered = weights.with_columns(_order=pl.col("indicator").replace_strict(order, default=len(order)))
        for r in ordered.sort("_order", "indicator").iter_rows(named=True):
            formula = TRANSFORMS.get(r["indicator"])
            if r["indicator"] == "q":
                shown = f"{_math(ER_VIEWS)}；平台不公开播放量时 {_math(ER_FOLLOWERS)}"
            elif formula:
                shown = _math(formula)
            else:
                shown = f"<code>{escape(str(r['transform']))}</code>"
            dimension = r.get("dimension_zh") or DIMENSION_ZH.get(r.get("dimension", ""), "")
            rows.append(
                f'<tr><td class="t">{escape(str(r["indicator_zh"]))}</td><td class="t">{escape(str(dimension))}</td>'
                f'<td class="t formula">{shown}</td><td>{_number(r["weight"])}</td></tr>'
            )
        out.append(
            '<table class="method"><thead><tr><th class="t">指标</th><th class="t">维度</th>'
            '<th class="t">计算方式</th><th>权重</th></tr></thead><tbody>'
            + "".join(rows)
            + "</tbody></table>"
        )
    out.append(
        '<p class="meta">符号：'
        + "；".join(f"<i>{s}</i> {escape(zh)}" for s, zh in SYMBOLS)
        + "。维度得分是其所含指标得分的加权平均。排名按未四舍五入的得分，同分并列（1、2、2、4）；"
        "表中得分保留两位小数，摘要中保留一位。趋势图使用锚定模式：L 与 U 取固定目标值，"
        "分数可以跨月比较，城市增减也不影响其他城市。</p>"
    )
    return "\n".join(out)
