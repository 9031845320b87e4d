"""Homogeneity at the scale of 50,000 posts gives sane answers; its time is measured in
bench/diagnostics.py (make bench), not asserted here."""

from __future__ import annotations

import pytest

from bench.diagnostics import POSTS, synthetic_posts
from citypulse.diagnostics import homogeneity


@pytest.mark.slow
def test_homogeneity_of_50000_posts_is_computed_per_city_and_platform() -> None:
    posts = synthetic_posts(POSTS)
    sims = homogeneity.mean_pairwise_similarity(posts, ["city_code", "platform"])
    clusters = homogeneity.near_duplicate_clusters(posts, ["city_code", "platform"])
    assert sims.height == 14 and sims["homogeneity"].is_between(0.0, 1.0).all()
    assert clusters.height > 0  # verbatim reposts in one city and platform are found
