"""Meta Business Suite → Insights → Content → Export: Facebook Page posts, lifetime or per day.

Header (export-formats.md §5.1): ``Post ID, Page ID, Page name, Title, Description, Duration
(sec), Publish time, …, Date, Views, Reach, Reactions, Comments and Shares, Reactions, Comments,
Shares, …``.

Traps: UTF-8 BOM; 26–34 columns depending on the month and variant (only the signature columns
are required); ``Reactions, Comments and Shares`` is one quoted column whose capitalisation
varies (it is a sum and not read); ``Publish time`` is ``MM/DD/YYYY HH:MM`` (month first) in the
zone set in the Business Suite account, with no marker: read as local time (``settings.LOCAL_TZ``,
the municipal teams' accounts) unless the folder manifest sets ``timezone``; the caption sits in
``Title`` or ``Description`` by post type, so ``text`` is the longer of the two (``title`` keeps ``Title``);
older exports have ``Impressions`` instead of ``Views`` (``views`` then takes ``Impressions``, as
Meta defines views as their successor); ``pfbid…`` permalinks change between exports, so
``post_id`` (never the URL) identifies a post; empty metric cells stay NULL, never 0;
``Total clicks`` / ``Link clicks`` have no canonical column and stay in raw/.

Two variants share that header, told apart by ``Date`` (the header alone cannot):

* ``Date`` = ``Lifetime`` (``Trọn đời`` in Vietnamese): one row per post, lifetime totals at
  export time → ``post_observations``. A row whose ``Date`` is anything else is refused.
* ``Date`` = a calendar day ``01/28/2026``: the platform's own values of each post for that day
  (12 posts × 7 days = 84 rows), with no ``Views``/``Reach`` columns → ``post_daily`` at the
  grain (post, day); never 84 lifetime observations. Days before a post was published are
  written as 0 by Meta and land as such. ``Seconds viewed`` → ``watch_time_h``.

The export follows the Business Suite UI language: every header, the ``Lifetime`` label and the
``Post type`` values are translated. One alias table per language (:data:`VIETNAMESE`) maps the
English names to the localised ones; each language is its own adapter (``…_vi``), since a
signature is a set of names, and localised post types are brought back to the English values.
No 简体中文 table: neither a real Chinese-UI export nor Meta documentation of its headers was at
hand, and headers are not guessed.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from citypulse.adapters.base import Adapter, ContentMatch, Context, Hook, RowRule, col, every_filled_value
from citypulse.lake import reasons
from citypulse.parsing import ParseContext, get_parser
from citypulse.parsing.text import normalise_header
from citypulse.settings import LOCAL_TZ

META_BUSINESS_SUITE_TZ = LOCAL_TZ

# English header → Vietnamese header (clickstudio-mbs-content-vi-Mar-17-2026_Apr-13-2026.csv)
VIETNAMESE: dict[str, str] = {
    "Post ID": "ID bài viết",
    "Page ID": "ID Trang",
    "Page name": "Tên Trang",
    "Title": "Tiêu đề",
    "Description": "Mô tả",
    "Duration (sec)": "Thời lượng (giây)",
    "Publish time": "Thời gian đăng",
    "Permalink": "Liên kết vĩnh viễn",
    "Post type": "Loại bài viết",
    "Date": "Ngày",
    "Views": "Lượt xem",
    "Reach": "Số người tiếp cận",
    "Reactions": "Cảm xúc",
    "Comments": "Bình luận",
    "Shares": "Lượt chia sẻ",
    "Seconds viewed": "Số Giây xem",
}

# localised ``Post type`` value → the English export's value (same file)
VIETNAMESE_POST_TYPES: dict[str, str] = {"Video": "Videos", "Ảnh": "Photos"}

# the ``Date`` cell of a lifetime export, per UI language
LIFETIME_LABELS: tuple[str, ...] = ("Lifetime", "Trọn đời")

_LIFETIME = [normalise_header(label) for label in LIFETIME_LABELS]
_NOT_LIFETIME = "_date_not_lifetime"


def localised(aliases: Mapping[str, str], *names: str) -> tuple[str, ...]:
    """English header names as one UI language writes them (names the table lacks stay English)."""
    return tuple(aliases.get(name, name) for name in names)


def is_lifetime(cell: pl.Expr) -> pl.Expr:
    """True where a ``Date`` cell is the ``Lifetime`` label of some UI language."""
    return cell.str.strip_chars().str.to_lowercase().str.normalize("NFKC").is_in(_LIFETIME)


def lifetime_content(date_header: str) -> ContentMatch:
    """The table is a lifetime export: its ``Date`` cells are ``Lifetime`` (in the UI language)."""
    return ContentMatch(
        f"{date_header} = {' / '.join(LIFETIME_LABELS)}", every_filled_value(date_header, is_lifetime)
    )


def not_lifetime(lf: pl.LazyFrame, date_header: str) -> pl.Expr:
    """Inside ``finish``: rows whose ``Date`` cell is filled and is not ``Lifetime`` (a file
    without the column has none). Detection judged the first rows; this catches the rest."""
    name = f"src:{normalise_header(date_header)}"
    if name not in lf.collect_schema().names():
        return pl.lit(False).alias(_NOT_LIFETIME)
    cell = pl.col(name).str.strip_chars()
    return ((cell != "") & ~is_lifetime(cell)).fill_null(False).alias(_NOT_LIFETIME)


def lifetime_rule(date_header: str) -> RowRule:
    """Refuses the rows :func:`not_lifetime` flags."""
    return RowRule(
        date_header,
        lambda: pl.col(_NOT_LIFETIME),
        "not Lifetime: a per-day row in a lifetime export (its values are not lifetime totals)",
        code=reasons.OUT_OF_SCOPE,
    )


def _is_day(cell: pl.Expr) -> pl.Expr:
    # month first, as the adapter declares: a week of days ≤ 12 proves no order by itself
    return get_parser("date")(cell, ParseContext(META_BUSINESS_SUITE_TZ, date_order="MDY")).is_not_null()


def longer_caption(title: pl.Expr, description: pl.Expr) -> pl.Expr:
    """The longer of two caption cells (NULL only when both are empty)."""
    return (
        pl.when(description.str.len_chars().fill_null(-1) >= title.str.len_chars().fill_null(-1))
        .then(description)
        .otherwise(title)
    )


def english_post_types(lf: pl.LazyFrame, post_types: Mapping[str, str]) -> list[pl.Expr]:
    """Inside ``finish``: ``post_type`` with a UI language's values replaced by the English
    export's (values the table lacks kept as written); nothing when there is no post type."""
    if not post_types or "post_type" not in lf.collect_schema().names():
        return []
    return [pl.col("post_type").replace(dict(post_types))]


def _lifetime_finish(aliases: Mapping[str, str], post_types: Mapping[str, str]) -> Hook:
    def finish(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
        names = set(lf.collect_schema().names())
        description = pl.col("text") if "text" in names else pl.lit(None, pl.String)
        title = pl.col("title") if "title" in names else pl.lit(None, pl.String)
        return lf.with_columns(
            not_lifetime(lf, aliases.get("Date", "Date")),
            *english_post_types(lf, post_types),
            text=longer_caption(title, description),
        )

    return finish


def _seconds_to_hours(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    if "watch_time_h" not in lf.collect_schema().names():  # no Seconds viewed column
        return lf
    return lf.with_columns(watch_time_h=pl.col("watch_time_h") / 3600)


def lifetime_adapter(suffix: str, aliases: Mapping[str, str], post_types: Mapping[str, str]) -> Adapter:
    """The lifetime post export in one UI language."""
    t = aliases.get
    return Adapter(
        name=f"facebook_business_posts{suffix}",
        platform="facebook",
        entity="post_observations",
        description="Meta Business Suite Facebook post export (lifetime totals per post)",
        signature=localised(aliases, "Post ID", "Page ID", "Publish time"),
        columns=(
            col("post_id", *localised(aliases, "Post ID"), parser="id"),
            col("account_id", *localised(aliases, "Page ID"), parser="id"),
            col("account_name", *localised(aliases, "Page name")),
            col("title", *localised(aliases, "Title")),
            col("text", *localised(aliases, "Description")),
            col("duration_s", *localised(aliases, "Duration (sec)"), parser="number"),
            col("published_at", *localised(aliases, "Publish time"), parser="datetime"),
            col("post_url", *localised(aliases, "Permalink")),
            col("post_type", *localised(aliases, "Post type")),
            col("views", *localised(aliases, "Views", "Impressions"), parser="count"),
            col("impressions", *localised(aliases, "Impressions"), parser="count"),
            col("reach", *localised(aliases, "Reach"), parser="count"),
            col("likes", *localised(aliases, "Reactions"), parser="count"),
            col("comments", *localised(aliases, "Comments"), parser="count"),
            col("shares", *localised(aliases, "Shares"), parser="count"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
        date_order="MDY",  # Business Suite writes MM/DD/YYYY
        content=lifetime_content(t("Date", "Date")),
        finish=_lifetime_finish(aliases, post_types),
        rules=(lifetime_rule(t("Date", "Date")),),
    )


def daily_adapter(suffix: str, aliases: Mapping[str, str]) -> Adapter:
    """The per-day variant (``Date`` is a calendar day) in one UI language."""
    date = aliases.get("Date", "Date")
    return Adapter(
        name=f"facebook_business_posts_daily{suffix}",
        platform="facebook",
        entity="post_daily",
        description="Meta Business Suite Facebook post export, daily breakdown (one row per post and day)",
        signature=localised(aliases, "Post ID", "Page ID", "Publish time", "Date"),
        columns=(
            col("post_id", *localised(aliases, "Post ID"), parser="id"),
            col("account_id", *localised(aliases, "Page ID"), parser="id"),
            col("date", date, parser="date"),
            col("views", *localised(aliases, "Views"), parser="count"),
            col("reach", *localised(aliases, "Reach"), parser="count"),
            col("likes", *localised(aliases, "Reactions"), parser="count"),
            col("comments", *localised(aliases, "Comments"), parser="count"),
            col("shares", *localised(aliases, "Shares"), parser="count"),
            col("watch_time_h", *localised(aliases, "Seconds viewed"), parser="number"),
        ),
        timezone=META_BUSINESS_SUITE_TZ,
        date_order="MDY",  # Business Suite writes MM/DD/YYYY
        content=ContentMatch(f"{date} = calendar days (MM/DD/YYYY)", every_filled_value(date, _is_day)),
        finish=_seconds_to_hours,
    )


# UI language → (header aliases, post type values); "" is the English export
LANGUAGES: dict[str, tuple[Mapping[str, str], Mapping[str, str]]] = {
    "": ({}, {}),
    "_vi": (VIETNAMESE, VIETNAMESE_POST_TYPES),
}

ADAPTERS = [lifetime_adapter(s, a, p) for s, (a, p) in LANGUAGES.items()] + [
    daily_adapter(s, a) for s, (a, _) in LANGUAGES.items()
]
