"""How sure each rank is: every city's composite rank under perturbed weights and normalisations.

A run's scores rest on choices (indicator weights, platform weights, P5/P95 against plain min-max)
that reasonable analysts could make differently. Each of N draws perturbs all of them at once:
indicator weights from a Dirichlet around the configured ones, platform weights uniformly within
± a share of theirs, and the normalisation by a fair coin; the P5–P95 range of a city's ranks over
the draws is its 排名区间. The draws reuse the run's own frozen scores (``eval_indicator_score``):
nothing is re-derived from inputs, and the seed comes from the frozen config, so recomputing a run
gives the same intervals. numpy does the work over draws × cities × platforms in a few arrays.
Ranks are those of the relative (monthly ranking) mode, whatever the config's headline mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from citypulse.evaluation.methodology import INDICATORS, Methodology

SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "composite": pl.String(),
    "city_code": pl.String(),
    "rank": pl.Int64(),
    "median_rank": pl.Float64(),
    "rank_p5": pl.Int64(),
    "rank_p95": pl.Int64(),
    "draws": pl.Int64(),
    "seed": pl.Int64(),
}
OUTPUT = "eval_rank_robustness"


@dataclass(frozen=True)
class Scores:
    """A run's indicator scores as arrays over cities × platforms × indicators."""

    cities: list[str]
    platforms: list[str]
    relative: np.ndarray  # the run's own scores (P5/P95 or the configured quantiles); 0 where unscored
    minmax: np.ndarray  # the same values under plain min-max
    scored: np.ndarray  # bool: the indicator has a score for the city (used, account, enough data)
    has_account: np.ndarray  # bool, cities × platforms
    indicator_weights: np.ndarray  # configured w_k, in INDICATORS order


def _minmax(x: np.ndarray) -> np.ndarray:
    """100 · (x − min) / (max − min) per platform × indicator over the cities with a value; 50 when
    max = min; 0 for a missing value (the run's rule for a city with an account but no value)."""
    with np.errstate(invalid="ignore", all="ignore"):
        lower = np.nanmin(np.where(np.isnan(x), np.inf, x), axis=0)
        upper = np.nanmax(np.where(np.isnan(x), -np.inf, x), axis=0)
        span = upper - lower
        s = np.where(span > 0, 100.0 * np.clip((x - lower) / np.where(span > 0, span, 1.0), 0.0, 1.0), 50.0)
    return np.where(np.isnan(x), 0.0, s)


def load_scores(run_folder: Path) -> Scores:
    """The arrays of a scored run folder (its eval_indicator_score and eval_platform_score files)."""
    platform_scores = pl.read_parquet(run_folder / "eval_platform_score.parquet")
    cities = sorted(platform_scores["city_code"].unique().to_list())
    platforms = sorted(platform_scores["platform"].unique().to_list())
    ci = {c: i for i, c in enumerate(cities)}
    pi = {p: i for i, p in enumerate(platforms)}
    ki = {k: i for i, k in enumerate(INDICATORS)}
    shape = (len(cities), len(platforms), len(INDICATORS))

    ind = pl.read_parquet(run_folder / "eval_indicator_score.parquet").filter(
        pl.col("platform").is_in(platforms)
    )
    c = ind["city_code"].replace_strict(ci, return_dtype=pl.Int64).to_numpy()
    p = ind["platform"].replace_strict(pi, return_dtype=pl.Int64).to_numpy()
    k = ind["indicator"].replace_strict(ki, return_dtype=pl.Int64).to_numpy()
    x = np.full(shape, np.nan)
    x[c, p, k] = ind["x"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    relative = np.zeros(shape)
    scored = np.zeros(shape, dtype=bool)
    rel = ind["relative_score"].cast(pl.Float64)
    relative[c, p, k] = rel.fill_null(0.0).to_numpy()
    scored[c, p, k] = rel.is_not_null().to_numpy()

    has_account = np.zeros(shape[:2], dtype=bool)
    acc = platform_scores.filter("has_account")
    has_account[
        acc["city_code"].replace_strict(ci, return_dtype=pl.Int64).to_numpy(),
        acc["platform"].replace_strict(pi, return_dtype=pl.Int64).to_numpy(),
    ] = True

    weights = pl.read_parquet(run_folder / "config_indicators.parquet")
    w = dict(zip(weights["indicator"].to_list(), weights["weight"].cast(pl.Float64).to_list(), strict=True))
    # a value left out for too little data has no min-max score either
    return Scores(
        cities=cities,
        platforms=platforms,
        relative=relative,
        minmax=np.where(scored, _minmax(np.where(scored, x, np.nan)), 0.0),
        scored=scored,
        has_account=has_account,
        indicator_weights=np.array([w.get(i, 0.0) for i in INDICATORS]),
    )


def platform_scores(s: Scores, indicator_weights: np.ndarray, use_minmax: np.ndarray) -> np.ndarray:
    """PCI*, cities × platforms × draws, for per-draw indicator weights (draws × K) and normalisation
    choice (draws): renormalised over the scored indicators (NaN without any), 0 without an account.
    One matrix product per array: cities × platforms rows against the draws' weight columns."""
    cities, platforms, k = s.relative.shape
    columns = indicator_weights.T
    relative = s.relative.reshape(-1, k) @ columns
    minmax = s.minmax.reshape(-1, k) @ columns
    denominator = s.scored.reshape(-1, k).astype(float) @ columns
    numerator = np.where(use_minmax[None, :], minmax, relative)
    with np.errstate(invalid="ignore", divide="ignore"):
        pci = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), np.nan)
    pci = pci.reshape(cities, platforms, -1)
    return np.where(s.has_account[:, :, None], pci, 0.0)


def combine(pci: np.ndarray, platform_weights: np.ndarray) -> np.ndarray:
    """Composite scores, draws × cities, from PCI* (cities × platforms × draws) and platform weights
    (draws × P, 0 for a platform outside the composite): renormalised over the platforms with a
    PCI* (NaN without any)."""
    weights = platform_weights.T[None, :, :] * ~np.isnan(pci)
    total = weights.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(
            total > 0, (weights * np.nan_to_num(pci)).sum(axis=1) / np.where(total > 0, total, 1.0), np.nan
        )
    return scores.T


def composite_scores(
    s: Scores,
    indicator_weights: np.ndarray,
    platform_weights: np.ndarray,
    use_minmax: np.ndarray,
) -> np.ndarray:
    """Composite scores, draws × cities, under the run's rules for per-draw indicator weights
    (draws × K), platform weights (draws × P) and normalisation choice (draws)."""
    return combine(platform_scores(s, indicator_weights, use_minmax), platform_weights)


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Competition ranks (1224), descending, of each row of draws × cities; 0 for a NaN score."""
    above = (scores[:, None, :] > scores[:, :, None]).sum(axis=2)
    return np.where(np.isnan(scores), 0, above + 1)


def rank_intervals(
    s: Scores,
    composite_weights: dict[str, dict[str, float]],
    draws: int,
    seed: int,
    concentration: float,
    spread: float,
) -> dict[str, np.ndarray]:
    """Ranks per composite, draws × cities, under ``draws`` joint perturbations from ``seed``."""
    rng = np.random.default_rng(seed)
    positive = s.indicator_weights > 0
    indicator_weights = np.zeros((draws, len(INDICATORS)))
    indicator_weights[:, positive] = rng.dirichlet(concentration * s.indicator_weights[positive], size=draws)
    use_minmax = rng.random(draws) < 0.5
    factors = rng.uniform(1.0 - spread, 1.0 + spread, size=(draws, len(s.platforms)))
    pci = platform_scores(s, indicator_weights, use_minmax)  # shared by every composite
    ranks = {}
    for composite in sorted(composite_weights):
        base = np.array([composite_weights[composite].get(p, 0.0) for p in s.platforms])
        ranks[composite] = competition_ranks(combine(pci, base * factors))
    return ranks


def compute(run_folder: Path, run_id: str, methodology: Methodology) -> pl.DataFrame | None:
    """The run's eval_rank_robustness rows; None for a methodology version without the settings."""
    draws = methodology.optional_setting("robustness_draws")
    if draws is None:
        return None
    seed = int(methodology.setting("robustness_seed"))
    s = load_scores(run_folder)
    covered = set(
        pl.read_parquet(run_folder / "eval_platform_coverage.parquet")
        .filter("is_covered")["platform"]
        .to_list()
    )
    weights: dict[str, dict[str, float]] = {}
    for row in pl.read_parquet(run_folder / "config_composite_weights.parquet").iter_rows(named=True):
        if row["platform"] in covered:
            weights.setdefault(row["composite"], {})[row["platform"]] = float(row["weight"])
    ranks = rank_intervals(
        s,
        weights,
        int(draws),
        seed,
        float(methodology.setting("robustness_concentration")),
        float(methodology.setting("robustness_platform_spread")),
    )
    official = pl.read_parquet(run_folder / "eval_composite_score.parquet")
    frames = []
    # a city is ranked in every draw or in none (which platforms have its scores does not depend on
    # the weights); the unranked ones (rank 0) are dropped by the join with the run's ranking
    for composite, r in ranks.items():
        frames.append(
            pl.DataFrame(
                {
                    "composite": composite,
                    "city_code": s.cities,
                    "median_rank": np.median(r, axis=0),
                    "rank_p5": np.percentile(r, 5, axis=0, method="inverted_cdf"),
                    "rank_p95": np.percentile(r, 95, axis=0, method="inverted_cdf"),
                }
            )
        )
    columns = ["composite", "city_code", "median_rank", "rank_p5", "rank_p95"]
    intervals = pl.concat(frames) if frames else pl.DataFrame(schema={c: SCHEMA[c] for c in columns})
    return (
        official.select("composite", "city_code", "rank")
        .join(intervals, on=["composite", "city_code"], how="inner")
        .with_columns(run_id=pl.lit(run_id), draws=pl.lit(int(draws)), seed=pl.lit(seed))
        .select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
        .sort("composite", "city_code")
    )


def write(run_folder: Path, run_id: str, methodology: Methodology) -> Path | None:
    """Write ``eval_rank_robustness.parquet`` into a scored run folder (not for versions without it)."""
    frame = compute(run_folder, run_id, methodology)
    if frame is None:
        return None
    path = run_folder / f"{OUTPUT}.parquet"
    frame.write_parquet(path)
    return path
