"""TikTok Studio → Analytics → Overview export (``Overview.csv``): the account's metrics per day.

``Date, Video Views, Profile Views, Likes, Comments, Shares`` → ``account_daily``.

Traps (export-formats.md §6.2, real-exports/tiktok/…overview…): UTF-8 BOM, every field quoted,
no trailing newline; days without a year, in the UI's language (``February 28``, ``8 de marzo``,
``1 de janeiro``, ``1月1日``), spanning up to a year across New Year: each row's year comes from the
row order (:mod:`tiktok_studio_dates`) anchored on the observation date; ``undefined`` = NULL;
headers follow the UI language too (a Portuguese UI writes ``Data, Visualizações de vídeo, …``),
so there is one adapter per header language. Studio's days are read as UTC days.
The day's likes, comments and shares are *net* changes: Studio reports ``-1`` comments on a day
when more comments were deleted than written (the real export has 35 such days), so those three
columns are signed; views and profile views are not.
The Portuguese and Chinese header names beyond ``Data``/``Visualizações de vídeo`` are unverified
(no real sample): any missing optional column simply stays NULL.
A business account's variant (real-exports/tiktok/vintage-tiktok-overview-nan.csv) adds
``Reached audience`` (no ``account_daily`` column; its ``NAN`` literal is unknown, like
``undefined``), ``Phone number clicks `` (a trailing space in the header), ``Leads submission``
and the follower columns ``New followers``, ``Lost followers``, ``Net growth`` (→
``followers_gained``, ``followers_lost``, ``followers_net``); its days carry a year (``2025/10/31``).
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters.base import Adapter, Context, col
from citypulse.adapters.tiktok_studio_dates import years_from_row_order

TIKTOK_STUDIO_TZ = "UTC"

# language → (date, video views, profile views, likes, comments, shares)
HEADERS: dict[str, tuple[str, str, str, str, str, str]] = {
    "en": ("Date", "Video Views", "Profile Views", "Likes", "Comments", "Shares"),
    "pt": (
        "Data",
        "Visualizações de vídeo",
        "Visualizações do perfil",
        "Curtidas",
        "Comentários",
        "Compartilhamentos",
    ),
    "zh": ("日期", "视频观看次数", "主页访问量", "点赞数", "评论数", "分享次数"),
}


# the follower columns of a business account's Overview (English UI; other languages unseen)
BUSINESS_FOLLOWERS = (
    col("followers_gained", "New followers", parser="count"),
    col("followers_lost", "Lost followers", parser="count"),
    col("followers_net", "Net growth", parser="count"),
)


def _dated_by_row_order(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    return years_from_row_order(lf, tuple(h[0] for h in HEADERS.values()))


def _overview(language: str, names: tuple[str, str, str, str, str, str]) -> Adapter:
    date, views, profile_views, likes, comments, shares = names
    return Adapter(
        name="tiktok_studio_overview" + ("" if language == "en" else f"_{language}"),
        platform="tiktok",
        entity="account_daily",
        description=f"TikTok Studio Overview.csv ({language} UI): account metrics per day",
        signature=(date, views),
        columns=(
            col("date", date, parser="date"),
            col("views", views, parser="count"),
            col("profile_views", profile_views, parser="count"),
            col("likes", likes, parser="count"),
            col("comments", comments, parser="count"),
            col("shares", shares, parser="count"),
            *(BUSINESS_FOLLOWERS if language == "en" else ()),
        ),
        timezone=TIKTOK_STUDIO_TZ,
        signed=("likes", "comments", "shares", "followers_net"),
        finish=_dated_by_row_order,
        row_batches=False,
    )


ADAPTERS = [_overview(language, names) for language, names in HEADERS.items()]
