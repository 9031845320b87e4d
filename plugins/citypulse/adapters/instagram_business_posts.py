"""Meta Business Suite → Insights → Content → Export: Instagram posts and stories, one row each.

Header (export-formats.md §6.1): ``Post ID, Account ID, Account username, Account name,
Description, Duration (sec), Publish time, Permalink, Post type, Data comment, Date, Views, Reach,
Likes, Shares, Follows, Comments, Saves``; older exports have ``Impressions`` instead of ``Views``.

Traps: UTF-8 BOM; ``Date`` = ``Lifetime`` (lifetime totals; a row with any other ``Date`` is
refused, as for Facebook); ``Publish time`` ``06/29/2026 15:21`` (month first) in the Business
Suite account's zone (local time unless the manifest says otherwise, as for Facebook);
``Post type`` ``IG image``/``IG reel``/``IG carousel``/``IG story``; empty metrics stay NULL and
0 stays 0 (story exports leave cells such as ``Link clicks`` or ``Follows`` empty on some rows and
0 on others); multi-line descriptions. Permalink shortcodes (``/p/…``, ``/reel/…``) are stable,
but the native ``Post ID`` is the key. ``account_id`` is the numeric ``Account ID`` *of each row*:
collab posts owned by other accounts appear in an account's export with their owner's id and
username, so one file may hold several accounts. ``account_name`` is the ``Account username`` (the
handle people search for). ``Follows`` → ``followers_gained``.
Story exports (``Profile visits, Replies, Link clicks, Sticker taps, Navigation, …``) share the
header and land the same way; their story-only columns stay in raw/.

The export follows the UI language (headers, ``Lifetime``, post types): one alias table per
language (:data:`VIETNAMESE`), one adapter per language; localised post types are brought back
to the English values. No 简体中文 table (no real export or Meta documentation of it at hand).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from citypulse.adapters.base import Adapter, Context, Hook, col
from citypulse.adapters.facebook_business_posts import (
    META_BUSINESS_SUITE_TZ,
    english_post_types,
    lifetime_content,
    lifetime_rule,
    localised,
    not_lifetime,
)

# English header → Vietnamese header (clickstudio-mbs-ig-content-vi-Mar-17-2026_Apr-14-2026.csv)
VIETNAMESE: dict[str, str] = {
    "Post ID": "ID bài viết",
    "Account ID": "ID tài khoản",
    "Account username": "Tên người dùng tài khoản",
    "Account name": "Tên tài khoản",
    "Description": "Mô tả",
    "Duration (sec)": "Thời lượng (giây)",
    "Publish time": "Thời gian đăng",
    "Permalink": "Liên kết vĩnh viễn",
    "Post type": "Loại bài viết",
    "Date": "Ngày",
    "Views": "Lượt xem",
    "Reach": "Số người tiếp cận",
    "Likes": "Lượt thích",
    "Shares": "Lượt chia sẻ",
    "Follows": "Lượt theo dõi",
    "Comments": "Bình luận",
    "Saves": "Lượt lưu",
}

# localised ``Post type`` value → the English export's value (same file)
VIETNAMESE_POST_TYPES: dict[str, str] = {
    "Thước phim Instagram": "IG reel",
    "Thẻ quay vòng trên Instagram": "IG carousel",
}


def _finish(aliases: Mapping[str, str], post_types: Mapping[str, str]) -> Hook:
    def finish(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
        return lf.with_columns(
            not_lifetime(lf, aliases.get("Date", "Date")), *english_post_types(lf, post_types)
        )

    return finish


def posts_adapter(suffix: str, aliases: Mapping[str, str], post_types: Mapping[str, str]) -> Adapter:
    """The Instagram content export in one UI language."""
    return Adapter(
        name=f"instagram_business_posts{suffix}",
        platform="instagram",
        entity="post_observations",
        description="Meta Business Suite Instagram post export (lifetime totals per post)",
        signature=localised(aliases, "Post ID", "Account ID", "Account username", "Publish time"),
        columns=(
            col("post_id", *localised(aliases, "Post ID"), parser="id"),
            col("account_id", *localised(aliases, "Account ID"), parser="id"),
            col("account_name", *localised(aliases, "Account username", "Account name")),
            col("text", *localised(aliases, "Description")),
            col("duration_s", *localised(aliases, "Duration (sec)"), parser="number"),
            col("published_at", *localised(aliases, "Publish time"), parser="datetime"),
            col("post_url", *localised(aliases, "Permalink")),
            col("post_type", *localised(aliases, "Post type")),
            col("views", *localised(aliases, "Views", "Impressions"), parser="count"),
            col("impressions", *localised(aliases, "Impressions"), parser="count"),
            col("reach", *localised(aliases, "Reach"), parser="count"),
            col("likes", *localised(aliases, "Likes"), parser="count"),
            col("comments", *localised(aliases, "Comments"), parser="count"),
            col("shares", *localised(aliases, "Shares"), parser="count"),
            col("saves", *localised(aliases, "Saves"), parser="count"),
            col("followers_gained", *localised(aliases, "Follows"), parser="count"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
        date_order="MDY",  # Business Suite writes MM/DD/YYYY
        content=lifetime_content(aliases.get("Date", "Date")),
        finish=_finish(aliases, post_types),
        rules=(lifetime_rule(aliases.get("Date", "Date")),),
    )


# UI language → (header aliases, post type values); "" is the English export
LANGUAGES: dict[str, tuple[Mapping[str, str], Mapping[str, str]]] = {
    "": ({}, {}),
    "_vi": (VIETNAMESE, VIETNAMESE_POST_TYPES),
}

ADAPTERS = [posts_adapter(s, a, p) for s, (a, p) in LANGUAGES.items()]
