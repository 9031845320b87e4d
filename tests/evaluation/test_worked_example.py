"""§4 of index-methods.md through the real dbt evaluation models, to 1e-4 (the test oracle)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from citypulse.evaluation.scoring import score
from citypulse.settings import Settings

from .worked_example import example_methodology, freeze_example, inputs

pytestmark = pytest.mark.slow
TOL = 1e-4


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.from_env(tmp_path_factory.mktemp("worked-example")).ensure()


def _scored(
    settings: Settings,
    name: str,
    frame: pl.DataFrame,
    normalisation: str = "relative",
    theme_posts: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    methodology = example_methodology(settings, settings.home / f"config-{name}", normalisation)
    folder = settings.evaluations / f"run_id={name}"
    freeze_example(folder, methodology, frame, theme_posts)
    return {k: pl.read_parquet(p) for k, p in score(settings, folder, name).items()}


@pytest.fixture(scope="module")
def base(settings: Settings) -> dict[str, pl.DataFrame]:
    themes = pl.DataFrame(
        {
            "city_code": ["A"] * 4,
            "platform": ["douyin"] * 4,
            "best_theme": ["B", "E", "S", "T"],
            "posts": [5, 20, 30, 5],
        }
    )
    return _scored(settings, "example", inputs(), theme_posts=themes)


def _lookup(frame: pl.DataFrame, column: str, **keys: str) -> float:
    hit = frame.filter(pl.all_horizontal(pl.col(k) == v for k, v in keys.items()))[column]
    assert hit.len() == 1, f"{keys}: {hit.len()} rows"
    return float(hit[0])


X_42 = {
    ("douyin", "A"): [1.098612, 12.899222, 14.293547, 14.946913, 10.714440, 9.757960, 0.043226],
    ("douyin", "B"): [1.229452, 11.123475, 12.460969, 12.899222, 10.859018, 7.795660, 0.035857],
    ("douyin", "C"): [0.327213, 9.177654, 0.000000, 11.407576, -6.685861, 6.308803, 0.056667],
    ("youtube", "A"): [0.497838, 8.484610, None, 10.596660, 7.003974, 4.986915, 0.030067],
    ("youtube", "B"): [0.229574, 9.034569, None, 12.100718, 7.972811, 5.822378, 0.040154],
    ("youtube", "C"): [0.062520, 4.582661, None, 7.824446, 3.044522, 1.394327, 0.031333],
}
S_43 = {
    ("douyin", "A"): [85.4983, 100, 100, 100, 99.1760, 100, 35.4101],
    ("douyin", "B"): [100, 52.2850, 87.1790, 42.1448, 100, 43.1078, 0],
    ("douyin", "C"): [0, 0, 0, 0, 0, 0, 100],
    ("youtube", "A"): [100, 87.6467, None, 64.8278, 80.3413, 81.1325, 0],
    ("youtube", "B"): [38.3752, 100, None, 100, 100, 100, 100],
    ("youtube", "C"): [0, 0, None, 0, 0, 0, 12.5572],
}
INDICATORS = "artkgeq"


@pytest.mark.parametrize(("platform", "city"), list(X_42))
def test_42_transformed_values(base: dict[str, pl.DataFrame], platform: str, city: str) -> None:
    scores = base["eval_indicator_score"]
    for indicator, expected in zip(INDICATORS, X_42[(platform, city)], strict=True):
        rows = scores.filter(platform=platform, city_code=city, indicator=indicator)
        if expected is None:  # YouTube has no topic indicator: no row at all, not a zero
            assert rows.is_empty()
            continue
        # the table prints 6 decimals
        assert _lookup(scores, "x", platform=platform, city_code=city, indicator=indicator) == pytest.approx(
            expected, abs=5e-7
        )


@pytest.mark.parametrize(("platform", "city"), list(S_43))
def test_43_normalised_scores(base: dict[str, pl.DataFrame], platform: str, city: str) -> None:
    scores = base["eval_indicator_score"]
    for indicator, expected in zip(INDICATORS, S_43[(platform, city)], strict=True):
        if expected is None:
            continue
        got = _lookup(scores, "score", platform=platform, city_code=city, indicator=indicator)
        assert got == pytest.approx(expected, abs=TOL), (platform, city, indicator)


def test_43_rows_carry_bounds_and_weights(base: dict[str, pl.DataFrame]) -> None:
    scores = base["eval_indicator_score"]
    row = scores.filter(platform="douyin", indicator="r").sort("x")
    # n = 3: P5/P95 reproduce min-max exactly once clipped; bounds are the interpolated P5 / P95
    assert row["lower"][0] == pytest.approx(9.177654 + 0.1 * (11.123475 - 9.177654), abs=1e-5)
    assert row["upper"][0] == pytest.approx(11.123475 + 0.9 * (12.899222 - 11.123475), abs=1e-5)
    assert set(scores.filter(indicator="r")["weight"].to_list()) == {0.25}
    assert scores.height == 3 * 7 + 3 * 6


def test_44_platform_scores(base: dict[str, pl.DataFrame]) -> None:
    ps = base["eval_platform_score"]
    expected = {
        ("douyin", "A"): 92.0084,
        ("douyin", "B"): 56.7806,
        ("douyin", "C"): 10.0,
        ("youtube", "A"): 74.1241,
        ("youtube", "B"): 93.1528,
        ("youtube", "C"): 1.3952,
    }
    for (platform, city), value in expected.items():
        assert _lookup(ps, "score", platform=platform, city_code=city) == pytest.approx(value, abs=TOL)
    assert ps.filter(platform="youtube").sort("rank")["city_code"].to_list() == ["B", "A", "C"]


def test_44_dimension_scores(base: dict[str, pl.DataFrame]) -> None:
    ds = base["eval_dimension_score"]
    expected = {
        ("douyin", "A"): (85.4983, 100.0, 99.5880, 81.5457),
        ("douyin", "B"): (100.0, 62.2547, 71.0724, 30.7913),
        ("douyin", "C"): (0, 0, 0, 28.5714),
        ("youtube", "A"): (100.0, 87.6467, 72.5846, 57.9518),
        ("youtube", "B"): (38.3752, 100.0, 100.0, 100.0),
        ("youtube", "C"): (0, 0, 0, 3.5878),
    }
    for (platform, city), values in expected.items():
        for dimension, value in zip(("activity", "reach", "influence", "engagement"), values, strict=True):
            got = _lookup(ds, "score", platform=platform, city_code=city, dimension=dimension)
            assert got == pytest.approx(value, abs=TOL), (platform, city, dimension)


def test_45_composite_and_ranks(base: dict[str, pl.DataFrame]) -> None:
    cs = base["eval_composite_score"].filter(composite="overall").sort("city_code")
    assert cs["score"].to_list() == pytest.approx([84.8547, 71.3295, 6.5581], abs=TOL)
    assert cs["rank"].to_list() == [1, 2, 3]
    assert cs["rank_change"].null_count() == 3  # no previous official run


def test_46_city_without_youtube_account(settings: Settings) -> None:
    out = _scored(settings, "example-46", inputs(without_youtube_for="C"))
    ps = out["eval_platform_score"]
    assert _lookup(ps, "score", platform="youtube", city_code="A") == pytest.approx(11.1111, abs=TOL)
    assert _lookup(ps, "score", platform="youtube", city_code="B") == pytest.approx(88.8889, abs=TOL)
    assert _lookup(ps, "score", platform="youtube", city_code="C") == 0
    assert ps.filter(platform="youtube", city_code="C")["rank"].to_list() == [None]
    # C is outside the YouTube cross-section: it has no indicator rows there
    assert out["eval_indicator_score"].filter(platform="youtube", city_code="C").is_empty()
    cs = out["eval_composite_score"].sort("city_code")
    assert cs["score"].to_list() == pytest.approx([59.6495, 69.6239, 6.0], abs=TOL)
    assert cs.sort("rank")["city_code"].to_list() == ["B", "A", "C"]


def test_47_anchored_goalposts(settings: Settings, base: dict[str, pl.DataFrame]) -> None:
    expected = {"A": 86.7334, "B": 61.0232, "C": 32.8504}
    relative_run = base["eval_indicator_score"]
    for city, value in expected.items():
        # always computed beside the relative score ...
        got = _lookup(relative_run, "anchored_score", platform="douyin", city_code=city, indicator="r")
        assert got == pytest.approx(value, abs=TOL)
    # ... and the headline score when the config says anchored
    anchored = _scored(settings, "example-47", inputs(), normalisation="anchored")["eval_indicator_score"]
    for city, value in expected.items():
        assert _lookup(anchored, "score", platform="douyin", city_code=city, indicator="r") == pytest.approx(
            value, abs=TOL
        )
    assert _lookup(anchored, "lower", platform="douyin", city_code="A", indicator="r") == pytest.approx(
        6.908755, abs=1e-6
    )
    # goalposts do not move when a city leaves the panel
    smaller = _scored(settings, "example-47b", inputs().filter(pl.col("city_code") != "B"), "anchored")
    assert _lookup(
        smaller["eval_indicator_score"], "score", platform="douyin", city_code="A", indicator="r"
    ) == pytest.approx(86.7334, abs=TOL)


def test_48_best_balance(base: dict[str, pl.DataFrame]) -> None:
    sup = base["eval_supplementary"]
    assert _lookup(sup, "value", city_code="A", platform="douyin", measure="h_best") == pytest.approx(
        0.812907, abs=1e-6
    )
    assert _lookup(sup, "value", city_code="A", platform="douyin", measure="best_share_s") == pytest.approx(
        0.5
    )


def test_outputs_are_stable_parquet(base: dict[str, pl.DataFrame], settings: Settings) -> None:
    folder: Path = settings.evaluations / "run_id=example"
    assert {p.name for p in folder.glob("eval_*.parquet")} >= {
        "eval_input.parquet",
        "eval_indicator_score.parquet",
        "eval_platform_score.parquet",
        "eval_dimension_score.parquet",
        "eval_composite_score.parquet",
        "eval_supplementary.parquet",
    }
    assert base["eval_input"].filter(platform="douyin", city_code="A")["engagements"].to_list() == [536_000]
    assert base["eval_input"].filter(platform="youtube", city_code="A")["engagements"].to_list() == [4_510]
    assert base["eval_indicator_score"]["x"].dtype == pl.Float64
    assert not (settings.home / ".cache" / "dbt-evaluation" / "scoring.duckdb").exists(), "scratch removed"
