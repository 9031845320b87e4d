"""Measurement 8: homogeneity — mean pairwise caption similarity and near-duplicate
clusters — of 50,000 posts, target under 30 s on 2 cores.

Synthetic captions: 7 cities × 2 platforms, templates with varying slots and a share of verbatim
reposts, so both the MinHash signatures and the LSH clustering do real work.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from bench.timing import interleaved
from citypulse.diagnostics import homogeneity

POSTS = 50_000
TARGET_S = 30.0


def synthetic_posts(n: int = POSTS, seed: int = 10) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    places = np.array(["宽窄巷子", "大熊猫基地", "春熙路", "都江堰", "青城山", "锦里", "太古里", "九眼桥"])
    dishes = np.array(["火锅", "串串", "兔头", "担担面", "钟水饺", "龙抄手", "冰粉", "蛋烘糕"])
    words = np.array([chr(c) for c in range(0x4E00, 0x4E00 + 3000)])
    noise = ["".join(rng.choice(words, 12)) for _ in range(n)]
    captions = [
        f"#{p}# 今天带大家打卡{p}，再来一碗{d}！{x}"
        for p, d, x in zip(rng.choice(places, n), rng.choice(dishes, n), noise, strict=True)
    ]
    reposts = rng.random(n) < 0.1
    source = rng.integers(0, n, n)
    captions = [captions[s] if r else c for c, r, s in zip(captions, reposts, source, strict=True)]
    return pl.DataFrame(
        {
            "city_code": rng.choice([f"c{i}" for i in range(7)], n),
            "platform": rng.choice(["douyin", "weibo"], n),
            "title": captions,
            "text": [None] * n,
        },
        schema_overrides={"text": pl.String},
    ).with_columns(caption=homogeneity.normalised_caption(pl.col("title"), pl.col("text")))


def measure(posts: int, runs: int) -> dict[str, Any]:
    frame = synthetic_posts(posts)
    keys = ["city_code", "platform"]

    def both() -> None:
        homogeneity.mean_pairwise_similarity(frame, keys)
        homogeneity.near_duplicate_clusters(frame, keys)

    summary = interleaved({"homogeneity": both}, runs)["homogeneity"].summary()
    return {
        "posts": posts,
        "target_s": TARGET_S,
        "homogeneity": summary,
        "target_met": summary["median_s"] < TARGET_S,
    }
