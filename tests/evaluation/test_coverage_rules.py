"""The data-coverage rules of the default methodology through the real dbt scoring, on frozen inputs
built here (cases the sample does not produce on purpose): a count known for too few posts is
数据不足 (NULL, never a partial sum), one known for enough posts is scaled to all of them, a city
without matured data has no platform score and its composites renormalise, and TikTok enters the
overseas composite at its configured weight once enough cities have data on it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from citypulse.evaluation import robustness
from citypulse.evaluation.frozen import write_source
from citypulse.evaluation.methodology import DEFAULT_VERSION, Methodology, default_directory, load_methodology
from citypulse.evaluation.scoring import score
from citypulse.settings import Settings

pytestmark = pytest.mark.slow
TOL = 1e-9
DAYS = 31

# city, platform, posts, matured, with views, with likes/comments/shares, views, likes (comments,
# shares = likes / 10), followers at start and end
ROWS = [
    ("A", "youtube", 10, 10, 10, 10, 50_000, 2_000, 9_000, 9_500),
    ("B", "youtube", 10, 10, 7, 10, 35_000, 1_500, 4_000, 4_100),  # views for 7 of 10: 数据不足
    ("C", "youtube", 5, 5, 4, 5, 8_000, 400, 1_000, 1_200),  # views for 4 of 5 = 0.8: scaled
    ("D", "youtube", 3, 0, 0, 0, None, None, 500, 520),  # nothing matured
    ("A", "tiktok", 20, 20, 20, 20, 900_000, 60_000, 20_000, 26_000),
    ("B", "tiktok", 8, 8, 8, 8, 100_000, 5_000, 3_000, 3_300),
    ("C", "tiktok", 4, 4, 4, 4, 30_000, 1_000, 1_000, 1_000),
    ("D", "tiktok", 6, 6, 6, 6, 70_000, 4_000, 2_000, 2_500),
    # Facebook posts never had an observation within publish + 7 days
    ("A", "facebook", 12, 0, 0, 0, None, None, 80_000, 81_000),
    ("B", "facebook", 9, 0, 0, 0, None, None, 20_000, 20_500),
]


def _source_input(rows: list[tuple], platforms: list[str]) -> pl.DataFrame:
    known = {(r[0], r[1]) for r in rows}
    frame = pl.DataFrame(
        rows,
        schema=[
            "city_code",
            "platform",
            "posts",
            "posts_with_metrics",
            "posts_with_views",
            "posts_with_likes",
            "views",
            "likes",
            "followers_start",
            "followers_end",
        ],
        orient="row",
    ).with_columns(
        has_account=pl.lit(True),
        accounts=pl.lit(1),
        accounts_with_data=pl.lit(1),
        days=pl.lit(DAYS),
        peak_views=pl.col("views") // 3,
        comments=pl.col("likes") // 10,
        shares=pl.col("likes") // 10,
        saves=pl.lit(None, pl.Int64),
        posts_with_comments=pl.col("posts_with_likes"),
        posts_with_shares=pl.col("posts_with_likes"),
        posts_with_saves=pl.lit(0),
        topic_reach=pl.lit(None, pl.Int64),
    )
    absent = [
        {
            "city_code": c,
            "platform": p,
            "has_account": False,
            "accounts": 0,
            "accounts_with_data": 0,
            "days": DAYS,
        }
        for c in sorted({r[0] for r in rows})
        for p in platforms
        if (c, p) not in known
    ]
    return pl.concat([frame, pl.DataFrame(absent)], how="diagonal_relaxed")


def _score(
    settings: Settings, methodology: Methodology, name: str, rows: list[tuple]
) -> dict[str, pl.DataFrame]:
    folder = settings.evaluations / f"run_id={name}"
    folder.mkdir(parents=True)
    methodology.freeze(folder)
    write_source(folder, "source_input", _source_input(rows, methodology.platforms))
    for source in (
        "source_theme_posts",
        "source_search_results",
        "source_topic_measures",
        "source_hot_events",
        "source_previous_composite",
    ):
        write_source(folder, source)
    out = {k: pl.read_parquet(p) for k, p in score(settings, folder, name).items()}
    out["eval_rank_robustness"] = robustness.compute(folder, name, methodology)
    return out


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_env(tmp_path_factory.mktemp("coverage-rules")).ensure()


@pytest.fixture(scope="module")
def methodology(settings: Settings) -> Methodology:
    return load_methodology(default_directory(settings), DEFAULT_VERSION)


@pytest.fixture(scope="module")
def scored(settings: Settings, methodology: Methodology) -> dict[str, pl.DataFrame]:
    return _score(settings, methodology, "coverage", ROWS)


def _one(frame: pl.DataFrame, column: str, **keys: str) -> object:
    hit = frame.filter(**keys)[column]
    assert hit.len() == 1, keys
    return hit[0]


def test_a_count_known_for_too_few_posts_is_null_not_a_partial_sum(scored: dict[str, pl.DataFrame]) -> None:
    ind = scored["eval_indicator_score"]
    for indicator in ("r", "k"):
        row = ind.filter(city_code="B", platform="youtube", indicator=indicator).row(0, named=True)
        assert row["raw"] is None and row["score"] is None and row["is_insufficient"] is True
    # engagements were known for every post: e is scored, and q falls back to per follower
    e = ind.filter(city_code="B", platform="youtube", indicator="e").row(0, named=True)
    assert e["is_insufficient"] is False and abs(e["raw"] - (1_500 + 150) / DAYS) < TOL
    q = _one(ind, "raw", city_code="B", platform="youtube", indicator="q")
    assert abs(q - (1_500 + 150) / (10 * (4_000 + 4_100) / 2)) < TOL
    # the platform score renormalises over the scored indicators (a, g, e, q)
    used = ind.filter(city_code="B", platform="youtube", is_insufficient=False)
    want = (used["weight"] * used["score"]).sum() / used["weight"].sum()
    got = _one(scored["eval_platform_score"], "score", city_code="B", platform="youtube")
    assert abs(got - want) < TOL


def test_a_count_known_for_enough_posts_is_scaled_to_all_posts(scored: dict[str, pl.DataFrame]) -> None:
    ind = scored["eval_indicator_score"]
    assert (
        abs(_one(ind, "raw", city_code="C", platform="youtube", indicator="r") - 8_000 * 5 / 4 / DAYS) < TOL
    )
    assert (
        _one(ind, "raw", city_code="C", platform="youtube", indicator="k") == 8_000 // 3
    )  # a peak is not scaled


def test_no_matured_data_means_no_platform_score_and_renormalised_composites(
    scored: dict[str, pl.DataFrame],
) -> None:
    platform = scored["eval_platform_score"]
    assert _one(platform, "score", city_code="D", platform="youtube") is None
    assert _one(platform, "rank", city_code="D", platform="youtube") is None
    coverage = scored["eval_platform_coverage"]
    # Facebook has accounts in half the cities but data in none: it does not enter any composite
    assert _one(coverage, "is_covered", platform="facebook") is False
    assert _one(coverage, "cities_with_data", platform="facebook") == 0
    assert _one(coverage, "is_covered", platform="youtube") is True  # 3 of 4 evaluable cities
    composite = scored["eval_composite_score"].filter(composite="overseas")
    tiktok_d = _one(platform, "score", city_code="D", platform="tiktok")
    assert abs(_one(composite, "score", city_code="D") - tiktok_d) < TOL


def test_tiktok_enters_at_its_weight_once_covered(
    settings: Settings, methodology: Methodology, scored: dict[str, pl.DataFrame]
) -> None:
    weights = methodology.tables["composite_weights"].filter(composite="overseas")
    w = dict(zip(weights["platform"], weights["weight"], strict=True))
    assert w["tiktok"] > 0
    assert _one(scored["eval_platform_coverage"], "is_covered", platform="tiktok") is True
    platform = scored["eval_platform_score"]
    yt = _one(platform, "score", city_code="A", platform="youtube")
    tt = _one(platform, "score", city_code="A", platform="tiktok")
    overseas = scored["eval_composite_score"].filter(composite="overseas")
    want = (w["youtube"] * yt + w["tiktok"] * tt) / (w["youtube"] + w["tiktok"])
    assert abs(_one(overseas, "score", city_code="A") - want) < TOL

    # TikTok in one city of four: below min_coverage, its weight does not take effect
    sparse = [r for r in ROWS if r[1] != "tiktok" or r[0] == "A"]
    alone = _score(settings, methodology, "sparse-tiktok", sparse)
    assert _one(alone["eval_platform_coverage"], "is_covered", platform="tiktok") is False
    overseas = alone["eval_composite_score"].filter(composite="overseas")
    yt_alone = _one(alone["eval_platform_score"], "score", city_code="A", platform="youtube")
    assert abs(_one(overseas, "score", city_code="A") - yt_alone) < TOL


def test_availability_records_what_was_used_and_why(scored: dict[str, pl.DataFrame]) -> None:
    availability = scored["eval_indicator_availability"]
    # no topic source in these inputs: t is defined for no overseas platform, g has values
    assert _one(availability, "reason", platform="youtube", indicator="t") == "not_defined_for_platform"
    assert _one(availability, "reason", platform="youtube", indicator="r") == "used"
    # Facebook: no city has any matured value, so every defined indicator is left out
    facebook = availability.filter(platform="facebook", is_defined=True)
    assert set(facebook["reason"]) == {"no_value_for_any_city"} and not facebook["is_used"].any()
    used = availability.filter(platform="youtube", is_used=True)
    assert abs(used["used_weight"].sum() - 1.0) < TOL
    assert scored["eval_indicator_score"].filter(platform="facebook").is_empty()


def test_rank_intervals_cover_the_ranked_cities(scored: dict[str, pl.DataFrame]) -> None:
    intervals = scored["eval_rank_robustness"]
    composite = scored["eval_composite_score"]
    assert (
        intervals.select("composite", "city_code", "rank")
        .sort("composite", "city_code")
        .equals(composite.select("composite", "city_code", "rank").sort("composite", "city_code"))
    )
    ranked = intervals.group_by("composite").len()
    bounds = intervals.join(ranked, on="composite")
    assert np.all(bounds["rank_p5"].to_numpy() >= 1)
    assert np.all(bounds["rank_p5"].to_numpy() <= bounds["rank_p95"].to_numpy())
    assert np.all(bounds["rank_p95"].to_numpy() <= bounds["len"].to_numpy())


def test_a_version_without_the_rules_reproduces_its_runs(settings: Settings, tmp_path: Path) -> None:
    # v1 knows no coverage rule: the same inputs score as they always did (partial sums, zeros)
    v1 = load_methodology(default_directory(settings), "v1")
    out = _score(settings, v1, "coverage-v1", ROWS)
    ind = out["eval_indicator_score"]
    assert _one(ind, "raw", city_code="B", platform="youtube", indicator="r") == 35_000 / DAYS
    assert out["eval_rank_robustness"] is None
    assert set(out["eval_indicator_availability"].filter("is_defined")["reason"]) <= {
        "used",
        "used_without_value",
    }
