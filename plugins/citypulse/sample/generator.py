"""``generate()``: write a complete, deterministic sample inbox (contract: design.md, ``citypulse sample``).

Same arguments, same bytes: there is no wall-clock time anywhere (the reference day is a parameter,
xlsx and zip timestamps are fixed, every random draw comes from a stream keyed by the seed).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from citypulse.errors import RefusedError
from citypulse.progress import step
from citypulse.sample import douyin, meta, tiktok, weibo, x, youtube
from citypulse.sample.calendar import make_calendar
from citypulse.sample.registry import load_registry
from citypulse.sample.sink import Sink
from citypulse.sample.world import World, build_world


def _writers(rows: int | None) -> list[tuple[str, Callable[[World, Sink], None]]]:
    return [
        ("douyin creator works", lambda w, s: douyin.write_creator_works(w, s, rows)),
        ("douyin account overview", douyin.write_account_overview),
        ("douyin MediaCrawler search (csv)", douyin.write_mediacrawler_search),
        ("douyin MediaCrawler search (jsonl)", douyin.write_mediacrawler_search_jsonl),
        ("weibo-crawler posts", lambda w, s: weibo.write_crawler_posts(w, s, rows)),
        ("weibo-crawler users", weibo.write_crawler_users),
        ("weiboSpider", weibo.write_spider),
        ("weibo MediaCrawler notes", weibo.write_mediacrawler_notes),
        ("weibo topics", weibo.write_topics),
        ("weibo hot search", weibo.write_hot_search),
        ("youtube studio", youtube.write_studio),
        ("youtube studio cities", youtube.write_studio_cities),
        ("youtube api", youtube.write_api_videos),
        ("x content", x.write_content),
        ("x overview", x.write_overview),
        ("x tweet activity", x.write_tweet_activity),
        ("facebook", meta.write_facebook_posts),
        ("instagram", meta.write_instagram_posts),
        ("tiktok", tiktok.write_studio),
    ]


def generate(
    out: Path,
    cities: int = 6,
    months: int = 3,
    seed: int = 42,
    rows: int | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Write realistic, messy exports of every supported format under ``out``.

    ``months`` complete months ending with the month before ``today`` (default 2026-11-09, so
    2026-08..2026-10 with exports through 2026-11-07); ``rows`` sizes the full-history archives
    (the weibo-crawler CSV gets exactly ``rows`` rows, the Douyin xlsx ``min(rows, 100000)``).
    ``out`` must be empty or absent: the generator never mixes two samples in one inbox.
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise RefusedError(f"{out} is not empty; choose an empty or new folder for the sample")
    if rows is not None and rows < 1:
        raise ValueError(f"rows must be positive, got {rows}")
    registry = load_registry(cities)
    calendar = make_calendar(months, today)
    world = build_world(registry, calendar, seed)
    sink = Sink(out)
    try:
        for label, write in _writers(rows):
            step(label)
            write(world, sink)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)  # never leave half a sample behind
        raise
    return {
        "out": str(out),
        "files": len(sink.files),
        "rows": sink.rows(),
        "by_format": sink.by_format(),
        "cities": registry.city_codes,
        "accounts": registry.accounts.height,
        "period_start": calendar.period_start.isoformat(),
        "period_end": calendar.period_end.isoformat(),
        "last_export": calendar.last_export.isoformat(),
        "seed": seed,
        "bad_files": sink.bad_files,
    }
