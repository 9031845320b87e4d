"""index-methods.md §4: the worked example's inputs, as frozen run sources (the test oracle)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from citypulse.evaluation.frozen import write_source
from citypulse.evaluation.methodology import Methodology, default_directory, load_methodology
from citypulse.settings import Settings

COLUMNS = [
    "platform",
    "city_code",
    "posts",
    "views",
    "peak_views",
    "likes",
    "comments",
    "shares",
    "followers_start",
    "followers_end",
    "topic_reach",
]
# §4.1, verbatim; YouTube has no shares column (not an engagement component there) and no topics.
ROWS = [
    ("douyin", "A", 62, 12_400_000, 3_100_000, 480_000, 21_000, 35_000, 1_200_000, 1_245_000, 50_000_000),
    ("douyin", "B", 75, 2_100_000, 400_000, 66_000, 4_100, 5_200, 830_000, 882_000, 8_000_000),
    ("douyin", "C", 12, 300_000, 90_000, 15_000, 900, 1_100, 150_000, 149_200, 0),
    ("youtube", "A", 20, 150_000, 40_000, 4_200, 310, None, 52_000, 53_100, None),
    ("youtube", "B", 8, 260_000, 180_000, 9_800, 640, None, 38_000, 40_900, None),
    ("youtube", "C", 2, 3_000, 2_500, 90, 4, None, 9_000, 9_020, None),
]


def inputs(without_youtube_for: str | None = None) -> pl.DataFrame:
    frame = pl.DataFrame(ROWS, schema=COLUMNS, orient="row").with_columns(
        has_account=pl.lit(True),
        accounts=pl.lit(1),
        days=pl.lit(31),
        saves=pl.lit(None, pl.Int64),
        posts_with_metrics=pl.col("posts"),
    )
    if without_youtube_for:
        absent = (pl.col("platform") == "youtube") & (pl.col("city_code") == without_youtube_for)
        blank = [
            "posts",
            "views",
            "peak_views",
            "likes",
            "comments",
            "shares",
            "followers_start",
            "followers_end",
            "topic_reach",
            "posts_with_metrics",
        ]
        frame = frame.with_columns(
            has_account=~absent,
            accounts=pl.when(absent).then(0).otherwise(1),
            **{c: pl.when(absent).then(None).otherwise(pl.col(c)) for c in blank},
        )
    return frame


def example_methodology(settings: Settings, target: Path, normalisation: str = "relative") -> Methodology:
    """v1 with the example's platform weights (Douyin 0.6 / YouTube 0.4) as the overall composite."""
    target.mkdir(parents=True, exist_ok=True)
    for csv in default_directory(settings).glob("*.csv"):
        (target / csv.name).write_bytes(csv.read_bytes())
    pl.DataFrame(
        {
            "methodology_version": ["v1", "v1"],
            "composite": ["overall", "overall"],
            "platform": ["douyin", "youtube"],
            "weight": [0.6, 0.4],
        }
    ).write_csv(target / "methodology_composite_weights.csv")
    settings_csv = pl.read_csv(target / "methodology_settings.csv", infer_schema=False).with_columns(
        value=pl.when(pl.col("setting") == "normalisation").then(pl.lit(normalisation)).otherwise("value")
    )
    settings_csv.write_csv(target / "methodology_settings.csv")
    return load_methodology(target)


def freeze_example(
    run_folder: Path, methodology: Methodology, frame: pl.DataFrame, theme_posts: pl.DataFrame | None = None
) -> None:
    run_folder.mkdir(parents=True, exist_ok=True)
    methodology.freeze(run_folder)
    write_source(run_folder, "source_input", frame)
    write_source(run_folder, "source_theme_posts", theme_posts)
    for name in (
        "source_search_results",
        "source_topic_measures",
        "source_hot_events",
        "source_previous_composite",
    ):
        write_source(run_folder, name)
