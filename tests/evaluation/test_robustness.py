"""Rank intervals under perturbed weights, on constructed score arrays: a dominant city is first in
every draw, two cities within noise of each other share their interval, a seed gives one answer, and
138 cities × 1000 draws stay a matter of numpy arrays."""

from __future__ import annotations

import numpy as np

from citypulse.evaluation.methodology import INDICATORS
from citypulse.evaluation.robustness import Scores, competition_ranks, rank_intervals

WEIGHTS = np.array([0.10, 0.25, 0.10, 0.10, 0.10, 0.25, 0.10])  # a r t k g e q
COMPOSITE = {"overall": {"douyin": 0.5, "youtube": 0.5}}


def _scores(per_city: dict[str, list[float]]) -> Scores:
    """Every city with the same indicator scores on both platforms, under either normalisation."""
    cities = sorted(per_city)
    values = np.array([per_city[c] for c in cities], dtype=float)
    relative = np.repeat(values[:, None, :], 2, axis=1)
    return Scores(
        cities=cities,
        platforms=["douyin", "youtube"],
        relative=relative,
        minmax=relative.copy(),
        scored=np.ones(relative.shape, dtype=bool),
        has_account=np.ones((len(cities), 2), dtype=bool),
        indicator_weights=WEIGHTS,
    )


def _interval(ranks: np.ndarray, column: int) -> tuple[int, int]:
    r = ranks[:, column]
    return (
        int(np.percentile(r, 5, method="inverted_cdf")),
        int(np.percentile(r, 95, method="inverted_cdf")),
    )


def test_competition_ranks_share_ties() -> None:
    got = competition_ranks(np.array([[3.0, 5.0, 5.0, 1.0, np.nan]]))
    assert got.tolist() == [[3, 1, 1, 4, 0]]


def test_a_dominant_city_is_first_in_every_draw() -> None:
    s = _scores(
        {
            "top": [100.0] * 7,
            "mid": [60, 40, 55, 70, 30, 65, 50],
            "low": [10, 35, 20, 15, 45, 5, 30],
        }
    )
    ranks = rank_intervals(s, COMPOSITE, draws=1000, seed=7, concentration=50, spread=0.2)["overall"]
    assert ranks.shape == (1000, 3)
    assert _interval(ranks, s.cities.index("top")) == (1, 1)
    assert _interval(ranks, s.cities.index("low")) == (3, 3)


def test_cities_within_noise_of_each_other_overlap() -> None:
    # equal under the configured weights (r and e both weigh 0.25), apart once they move
    s = _scores(
        {
            "reach": [50, 90, 50, 50, 50, 80, 50],
            "engaged": [50, 80, 50, 50, 50, 90, 50],
            "far": [0.0] * 7,
        }
    )
    ranks = rank_intervals(s, COMPOSITE, draws=1000, seed=11, concentration=50, spread=0.2)["overall"]
    a = _interval(ranks, s.cities.index("reach"))
    b = _interval(ranks, s.cities.index("engaged"))
    assert a == (1, 2) and b == (1, 2)
    assert _interval(ranks, s.cities.index("far")) == (3, 3)


def test_the_same_seed_gives_the_same_ranks() -> None:
    rng = np.random.default_rng(3)
    s = _scores({f"c{i:03d}": list(rng.uniform(0, 100, len(INDICATORS))) for i in range(20)})
    first = rank_intervals(s, COMPOSITE, draws=200, seed=5, concentration=50, spread=0.2)["overall"]
    again = rank_intervals(s, COMPOSITE, draws=200, seed=5, concentration=50, spread=0.2)["overall"]
    other = rank_intervals(s, COMPOSITE, draws=200, seed=6, concentration=50, spread=0.2)["overall"]
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_138_cities_by_1000_draws_is_array_work() -> None:
    rng = np.random.default_rng(1)
    cities = 138
    relative = rng.uniform(0, 100, size=(cities, 7, len(INDICATORS)))
    s = Scores(
        cities=[f"c{i:03d}" for i in range(cities)],
        platforms=["douyin", "facebook", "instagram", "tiktok", "weibo", "x", "youtube"],
        relative=relative,
        minmax=relative * 0.9,
        scored=rng.random(relative.shape) > 0.1,
        has_account=rng.random((cities, 7)) > 0.2,
        indicator_weights=WEIGHTS,
    )
    weights = {
        "domestic": {"douyin": 0.5, "weibo": 0.5},
        "overseas": {"facebook": 0.28, "x": 0.24, "instagram": 0.12, "youtube": 0.16, "tiktok": 0.20},
        "overall": {"douyin": 0.25, "weibo": 0.25, "facebook": 0.14, "x": 0.12, "instagram": 0.06},
    }
    ranks = rank_intervals(s, weights, draws=1000, seed=1, concentration=50, spread=0.2)
    # its time is measured in bench/evaluation.py (robustness alone)
    assert {k: v.shape for k, v in ranks.items()} == {k: (1000, cities) for k in weights}
