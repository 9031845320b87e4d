"""The methodology config: v1 loads; configs whose weights do not sum to 1 or that name an unknown
indicator are refused before any run (the same rules run as dbt tests on the seeds)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from citypulse.evaluation.methodology import (
    DEFAULT_VERSION,
    MethodologyError,
    default_directory,
    load_methodology,
)
from citypulse.settings import Settings


def _copy(settings: Settings, target: Path) -> Path:
    target.mkdir(parents=True)
    for csv in default_directory(settings).glob("*.csv"):
        (target / csv.name).write_bytes(csv.read_bytes())
    return target


def _edit(path: Path, **changes: object) -> None:
    frame = pl.read_csv(path, infer_schema=False)
    pl.concat(
        [frame, pl.DataFrame({c: [str(changes.get(c, frame[c][0]))] for c in frame.columns})]
    ).write_csv(path)


def test_v1_is_valid_and_matches_the_methodology(home: Settings) -> None:
    m = load_methodology(default_directory(home))
    weights = dict(m.tables["indicators"].select("indicator", "weight").iter_rows())
    assert weights == {"a": 0.10, "r": 0.25, "t": 0.10, "k": 0.10, "g": 0.10, "e": 0.25, "q": 0.10}
    overseas = m.tables["composite_weights"].filter(composite="overseas")
    assert dict(overseas.select("platform", "weight").iter_rows()) == {
        "facebook": 0.35,
        "x": 0.30,
        "instagram": 0.15,
        "youtube": 0.20,
        "tiktok": 0.0,
    }
    assert m.setting("min_coverage") == "0.5" and m.setting("maturity_days") == "7"
    assert m.setting("timezone") == "Asia/Shanghai" and len(m.sha256) == 64


V1_SHA256 = "3e6c5651"  # the start of v1's config hash: v1 runs must stay reproducible


def test_v2_is_the_default_and_v1_is_unchanged(home: Settings) -> None:
    assert DEFAULT_VERSION == "v2"
    v1 = load_methodology(default_directory(home), "v1")
    v2 = load_methodology(default_directory(home), "v2")
    assert v1.sha256.startswith(V1_SHA256)
    assert v1.optional_setting("min_data_coverage") is None  # v1's rules: no coverage rule
    assert v2.setting("min_data_coverage") == "0.8" and v2.setting("drop_unavailable_indicators") == "true"
    assert v2.setting("followers_start") == "at_or_after_month_start"
    assert (v2.setting("robustness_draws"), v2.setting("robustness_concentration")) == ("1000", "50")
    assert (
        v2.tables["indicators"]
        .drop("methodology_version")
        .equals(v1.tables["indicators"].drop("methodology_version"))
    )
    overseas = dict(
        v2.tables["composite_weights"].filter(composite="overseas").select("platform", "weight").iter_rows()
    )
    assert overseas["tiktok"] > 0
    # without TikTok, v2's overseas weights renormalise to exactly v1's
    rest = {p: w for p, w in overseas.items() if p != "tiktok"}
    v1_overseas = dict(
        v1.tables["composite_weights"].filter(composite="overseas").select("platform", "weight").iter_rows()
    )
    assert all(abs(w / sum(rest.values()) - v1_overseas[p]) < 1e-12 for p, w in rest.items())


def test_a_bad_coverage_setting_is_refused(home: Settings, tmp_path: Path) -> None:
    d = _copy(home, tmp_path / "bad-coverage")
    path = d / "methodology_settings.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(
        value=pl.when(pl.col("setting") == "min_data_coverage").then(pl.lit("1.5")).otherwise("value")
    ).write_csv(path)
    with pytest.raises(MethodologyError, match="min_data_coverage must lie in"):
        load_methodology(d, "v2")


def test_hash_ignores_row_order_but_not_content(home: Settings, tmp_path: Path) -> None:
    base = load_methodology(default_directory(home)).sha256
    shuffled = _copy(home, tmp_path / "shuffled")
    path = shuffled / "methodology_indicators.csv"
    pl.read_csv(path, infer_schema=False).reverse().write_csv(path)
    assert load_methodology(shuffled).sha256 == base
    changed = _copy(home, tmp_path / "changed")
    path = changed / "methodology_settings.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(
        value=pl.when(pl.col("setting") == "q_lo").then(pl.lit("0.1")).otherwise("value")
    ).write_csv(path)
    assert load_methodology(changed).sha256 != base


def test_indicator_weights_must_sum_to_one(home: Settings, tmp_path: Path) -> None:
    d = _copy(home, tmp_path / "cfg")
    path = d / "methodology_indicators.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(
        weight=pl.when(pl.col("indicator") == "a").then(pl.lit("0.1000001")).otherwise("weight")
    ).write_csv(path)
    with pytest.raises(MethodologyError, match="indicator weights of version v1: weights sum to 1.0000001"):
        load_methodology(d)


def test_composite_weights_must_sum_to_one(home: Settings, tmp_path: Path) -> None:
    d = _copy(home, tmp_path / "cfg")
    path = d / "methodology_composite_weights.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame.filter(~((pl.col("composite") == "domestic") & (pl.col("platform") == "weibo"))).write_csv(path)
    with pytest.raises(MethodologyError, match="platform weights of composite domestic: weights sum to 0.5"):
        load_methodology(d)


def test_weights_within_tolerance_pass(home: Settings, tmp_path: Path) -> None:
    d = _copy(home, tmp_path / "cfg")
    path = d / "methodology_indicators.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame.with_columns(
        weight=pl.when(pl.col("indicator") == "a").then(pl.lit("0.1000000000001")).otherwise("weight")
    ).write_csv(path)
    load_methodology(d)


def test_unknown_indicator_is_refused(home: Settings, tmp_path: Path) -> None:
    d = _copy(home, tmp_path / "cfg")
    _edit(d / "methodology_platform_indicators.csv", platform="douyin", indicator="z")
    with pytest.raises(MethodologyError, match=r"unknown indicator\(s\) \['z'\]"):
        load_methodology(d)


def test_every_problem_is_listed_and_types_are_checked(home: Settings, tmp_path: Path) -> None:
    d = _copy(home, tmp_path / "cfg")
    _edit(d / "methodology_platform_indicators.csv", platform="myspace", indicator="a")
    _edit(d / "methodology_platforms.csv", platform="vk", er_denominator="reach")
    with pytest.raises(MethodologyError) as err:
        load_methodology(d)
    text = str(err.value)
    assert "platform(s) ['myspace'] are not in methodology_platforms" in text
    assert "unknown er_denominator(s) ['reach']" in text
    bad = _copy(home, tmp_path / "typed")
    path = bad / "methodology_indicators.csv"
    pl.read_csv(path, infer_schema=False).with_columns(weight=pl.lit("ten")).write_csv(path)
    with pytest.raises(MethodologyError, match="does not parse"):
        load_methodology(bad)


def test_unknown_version_is_refused(home: Settings) -> None:
    with pytest.raises(MethodologyError, match="no rows for methodology_version 'v9'"):
        load_methodology(default_directory(home), "v9")
