"""Instagram adapter: Meta Business Suite post export (no real sample exists: fixtures only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from citypulse.settings import Settings
from tests.fixtures.overseas.harness import by_id, fixture, land


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(tmp_path_factory.mktemp("instagram") / "home").ensure()


def test_business_suite_instagram_posts(settings: Settings) -> None:
    name = "Jun-01-2026_Jun-30-2026_17841400000000000.csv"
    landed = land(
        settings,
        "instagram",
        "visitchengdu",
        name,
        fixture(f"instagram/{name}"),
        {"observed_at": "2026-07-01T08:00:00+08:00"},
    )
    assert landed.result.adapter == "instagram_business_posts"
    posts = landed.rows("post_observations")
    image = by_id(posts, "post_id", "17900000000000001")
    assert image["published_at"] == datetime(2026, 6, 29, 7, 21, tzinfo=UTC)  # 15:21 Asia/Shanghai
    assert (image["views"], image["reach"], image["likes"], image["saves"], image["followers_gained"]) == (
        12000,
        9000,
        800,
        120,
        12,
    )
    assert (image["account_id"], image["account_name"], image["post_type"]) == (
        "17841400000000000",
        "visitchengdu",
        "IG image",
    )
    assert image["post_url"] == "https://www.instagram.com/p/C8abcDEFghi/"
    reel = by_id(posts, "post_id", "17900000000000002")
    assert reel["saves"] is None  # empty Saves is unknown, not 0
    assert reel["text"] == "Hot pot reel\nline two" and reel["duration_s"] == 27.0
    assert reel["published_at"] == datetime(2025, 12, 31, 15, 59, tzinfo=UTC)
    rejects = landed.rejects()
    assert rejects["source_row"].to_list() == [4]
    assert "required value (post_id) is missing" in rejects["reason"][0]


def test_older_export_with_impressions(settings: Settings) -> None:
    name = "Jan-01-2024_Jan-31-2024_17841400000000000.csv"
    landed = land(
        settings,
        "instagram",
        "visitchengdu_2024",
        name,
        fixture(f"instagram/{name}"),
        {"observed_at": "2026-07-01T00:00:00Z"},
    )
    post = landed.rows("post_observations").row(0, named=True)
    assert (post["views"], post["impressions"]) == (12000, 12000)
