"""The report's 执行摘要: what a leader reads first, generated from the frozen run.

Four short lists of plain sentences: who leads each composite, who moved most against the previous
official month (anchored scores, the ones comparable across months), each city's strongest and
weakest platform dimension against the median city, and the caveats that limit how far the
numbers can be read. Sentences are plain text; the page escapes them, the notification sends them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from citypulse.report.labels import COMPOSITE_ZH, DIMENSION_ZH, PLATFORM_ZH

MATURED_SHARE_MIN = 0.8  # below this share of posts with 7-day metrics, a platform's scores are shaky
FEW_CITIES = 5  # with fewer cities on a platform, scores only rank these cities against each other
LEVEL = 0.05  # differences under this (in points) read as "level"


@dataclass(frozen=True)
class Summary:
    leaders: list[str] = field(default_factory=list)
    movers: list[str] = field(default_factory=list)
    cities: list[str] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)

    def sentences(self) -> list[str]:
        return [*self.leaders, *self.movers, *self.cities, *self.caveats]


def points(value: float) -> str:
    """A score or score difference with one decimal, half away from zero (as the tables round)."""
    return f"{_round1(value):.1f}"


def signed(value: float) -> str:
    rounded = _round1(value)
    return f"+{rounded:.1f}" if rounded > 0 else f"−{-rounded:.1f}" if rounded < 0 else "0.0"


def _round1(value: float) -> float:
    from decimal import ROUND_HALF_UP, Decimal

    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _leaders(comp: pl.DataFrame, name: dict[str, str]) -> list[str]:
    out = []
    for composite, zh in COMPOSITE_ZH.items():
        ranked = comp.filter(composite=composite).sort("rank", "city_code")
        if ranked.is_empty():
            continue
        first = ranked.filter(rank=1)
        names = "、".join(name.get(c, c) for c in first["city_code"])
        lead = f"{zh}第一：{names}（{points(first['score'][0])} 分）"
        if first.height > 1:
            lead = f"{zh}：{names}并列第一（{points(first['score'][0])} 分）"
        rest = ranked.filter(pl.col("rank") > 1)
        if rest.height:
            gap = first["score"][0] - rest["score"][0]
            lead += f"，领先第二名{name.get(rest['city_code'][0], rest['city_code'][0])} {points(gap)} 分"
        out.append(lead + "。")
    return out


def _movers(
    comp: pl.DataFrame, previous: pl.DataFrame | None, previous_period: str, name: dict[str, str]
) -> list[str]:
    if previous is None or previous.is_empty():
        return [f"上月（{previous_period}）无官方评估，本期不做环比。"]
    now = comp.filter(composite="overall").select("city_code", "anchored_score", "rank")
    before = previous.filter(composite="overall").select(
        "city_code", pl.col("anchored_score").alias("before"), pl.col("rank").alias("rank_before")
    )
    both = (
        now.join(before, on="city_code", how="inner")
        .drop_nulls(["anchored_score", "before"])
        .with_columns(delta=pl.col("anchored_score") - pl.col("before"))
    )
    if both.is_empty():
        return [f"与上月（{previous_period}）没有可比的锚定得分。"]
    out = []
    up = both.filter(pl.col("delta") >= LEVEL).sort(["delta", "city_code"], descending=[True, False])
    down = both.filter(pl.col("delta") <= -LEVEL).sort(["delta", "city_code"])
    for frame, verb in ((up, "上升最多"), (down, "下降最多")):
        if frame.height:
            r = frame.row(0, named=True)
            out.append(
                f"与上月相比，{name.get(r['city_code'], r['city_code'])}综合得分（锚定）{verb}："
                f"{points(r['before'])} → {points(r['anchored_score'])}，{signed(r['delta'])} 分。"
            )
    if not out:
        out.append("与上月相比，各城市综合得分（锚定）基本持平。")
    moved = both.filter(pl.col("rank") != pl.col("rank_before")).sort("rank", "city_code")
    if moved.height:
        changes = "；".join(
            f"{name.get(r['city_code'], r['city_code'])}第 {r['rank_before']} → 第 {r['rank']} 名"
            for r in moved.iter_rows(named=True)
        )
        out.append(f"综合排名变化：{changes}。")
    else:
        out.append("综合排名与上月相同。")
    return out


def _versus(deviation: float) -> str:
    if deviation >= LEVEL:
        return f"高于中位数 {points(deviation)} 分"
    if deviation <= -LEVEL:
        return f"低于中位数 {points(-deviation)} 分"
    return "与中位数持平"


def dimension_deviations(dims: pl.DataFrame, inputs: pl.DataFrame) -> pl.DataFrame:
    """Each city's dimension scores on the platforms where it has an account, minus the median of the
    cities with an account there (per platform and dimension)."""
    with_account = inputs.filter("has_account").select("city_code", "platform")
    scored = dims.join(with_account, on=["city_code", "platform"], how="semi").drop_nulls("score")
    return scored.with_columns(
        deviation=pl.col("score") - pl.col("score").median().over("platform", "dimension")
    ).select("city_code", "platform", "dimension", "score", "deviation")


def cities_without_data(inputs: pl.DataFrame) -> list[str]:
    """Cities whose official accounts delivered nothing for the month: no post and no follower count
    on any platform (their zeros are missing data, not a performance)."""
    if inputs.is_empty():
        return []
    empty = (
        inputs.filter("has_account")
        .group_by("city_code")
        .agg(
            (
                (pl.col("posts") == 0)
                & pl.col("followers_start").is_null()
                & pl.col("followers_end").is_null()
            ).all()
        )
        .filter(pl.col("posts"))
    )
    return sorted(empty["city_code"].to_list())


def _cities(dims: pl.DataFrame, inputs: pl.DataFrame, comp: pl.DataFrame, name: dict[str, str]) -> list[str]:
    deviations = dimension_deviations(dims, inputs)
    no_data = set(cities_without_data(inputs))
    order = comp.filter(composite="overall").sort("rank", "city_code")["city_code"].to_list()
    order += sorted(set(deviations["city_code"].to_list()) - set(order))
    out = []
    for code in order:
        own = deviations.filter(city_code=code)
        if own.is_empty():
            continue
        if code in no_data:
            out.append(f"{name.get(code, code)}：本月没有数据，不作比较。")
            continue
        # ties go to the platform and dimension listed first, so the sentence is stable run to run
        ranked = own.sort(["deviation", "platform", "dimension"], descending=[True, False, False])
        best, worst = (
            ranked.row(0, named=True),
            ranked.sort(["deviation", "platform", "dimension"]).row(0, named=True),
        )
        out.append(
            f"{name.get(code, code)}：最强项 {_label(best)}（{_versus(best['deviation'])}），"
            f"最弱项 {_label(worst)}（{_versus(worst['deviation'])}）。"
        )
    return out


def _label(row: dict[str, object]) -> str:
    platform, dimension = str(row["platform"]), str(row["dimension"])
    return f"{PLATFORM_ZH.get(platform, platform)}·{DIMENSION_ZH.get(dimension, dimension)}"


def _caveats(
    inputs: pl.DataFrame, coverage: pl.DataFrame, manifest: dict[str, object], name: dict[str, str]
) -> list[str]:
    out = []
    no_data = cities_without_data(inputs)
    if no_data:
        out.append(
            f"{'、'.join(name.get(c, c) for c in no_data)}的官方账号本月没有任何数据，各项按 0 分计，"
            "排名不反映其实际传播表现。"
        )
    if inputs.height:
        matured = (
            inputs.filter("has_account")
            .group_by("platform")
            .agg(pl.col("posts").sum(), pl.col("posts_with_metrics").sum())
            .sort("platform")
        )
        for r in matured.iter_rows(named=True):
            zh = PLATFORM_ZH.get(r["platform"], r["platform"])
            if r["posts"] == 0:
                out.append(f"{zh}：本月官方账号没有作品，该平台得分只反映粉丝变化等非作品指标。")
            elif r["posts_with_metrics"] == 0:
                out.append(f"{zh}：{r['posts']:,} 条作品都没有发布后 7 天的数据，该平台得分不可靠。")
            elif r["posts_with_metrics"] < MATURED_SHARE_MIN * r["posts"]:
                share = round(100 * r["posts_with_metrics"] / r["posts"])
                out.append(
                    f"{zh}：{r['posts']:,} 条作品中只有 {r['posts_with_metrics']:,} 条（{share}%）"
                    "有发布后 7 天的数据，该平台得分宜谨慎解读。"
                )
    for r in coverage.sort("platform").iter_rows(named=True):
        zh = PLATFORM_ZH.get(r["platform"], r["platform"])
        with_account, panel = int(r["cities_with_account"]), int(r["panel_cities"])
        if not r["is_covered"]:
            out.append(f"{zh}：仅 {with_account}/{panel} 个城市有官方账号，未计入综合指数。")
        elif with_account < FEW_CITIES:
            out.append(f"{zh}：仅 {with_account} 个城市有官方账号，得分只表示这些城市之间的相对位置。")
    if manifest.get("allow_incomplete") and manifest.get("missing_accounts"):
        out.append("本次评估在部分官方账号缺少数据时运行，缺数据的账号见“数据覆盖与说明”。")
    return out


def build(
    comp: pl.DataFrame,
    dims: pl.DataFrame,
    inputs: pl.DataFrame,
    coverage: pl.DataFrame,
    manifest: dict[str, object],
    previous: pl.DataFrame | None,
    previous_period: str,
    names: dict[str, str],
) -> Summary:
    """The summary of one run; ``previous`` is the previous official run's composite scores."""
    return Summary(
        leaders=_leaders(comp, names),
        movers=_movers(comp, previous, previous_period, names),
        cities=_cities(dims, inputs, comp, names),
        caveats=_caveats(inputs, coverage, manifest, names),
    )
