"""Meta Business Suite → Insights → Content → Export: Instagram posts, one row per post.

Header (export-formats.md §6.1): ``Post ID, Account ID, Account username, Account name,
Description, Duration (sec), Publish time, Permalink, Post type, Data comment, Date, Views, Reach,
Likes, Shares, Follows, Comments, Saves``; older exports have ``Impressions`` instead of ``Views``.

Traps: UTF-8 BOM; ``Date`` = ``Lifetime`` (lifetime totals); ``Publish time`` ``06/29/2026
15:21`` in the Business Suite account's zone (Asia/Shanghai unless the manifest says otherwise,
as for Facebook); ``Post type`` ``IG image``/``IG reel``/``IG carousel``; empty metrics stay NULL;
multi-line descriptions. Permalink shortcodes (``/p/…``, ``/reel/…``) are stable, but the native
``Post ID`` is the key. ``account_id`` is the numeric ``Account ID``; ``account_name`` the
``Account username`` (the handle people search for). ``Follows`` → ``followers_gained``.
Story exports (``Replies, Navigation, Sticker taps, …``) share the header and land the same way;
their story-only columns stay in raw/.
"""

from __future__ import annotations

from citypulse.adapters.base import Adapter, col
from citypulse.adapters.facebook_business_posts import META_BUSINESS_SUITE_TZ

ADAPTERS = [
    Adapter(
        name="instagram_business_posts",
        platform="instagram",
        entity="post_observations",
        description="Meta Business Suite Instagram post export (lifetime totals per post)",
        signature=("Post ID", "Account ID", "Account username", "Publish time"),
        columns=(
            col("post_id", "Post ID", parser="id"),
            col("account_id", "Account ID", parser="id"),
            col("account_name", "Account username", "Account name"),
            col("text", "Description"),
            col("duration_s", "Duration (sec)", parser="number"),
            col("published_at", "Publish time", parser="datetime"),
            col("post_url", "Permalink"),
            col("post_type", "Post type"),
            col("views", "Views", "Impressions", parser="count"),
            col("impressions", "Impressions", parser="count"),
            col("reach", "Reach", parser="count"),
            col("likes", "Likes", parser="count"),
            col("comments", "Comments", parser="count"),
            col("shares", "Shares", parser="count"),
            col("saves", "Saves", parser="count"),
            col("followers_gained", "Follows", parser="count"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
    )
]
