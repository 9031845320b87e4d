"""Dates and times as polars expressions, always returned in UTC (or as a local ``Date``).

One expression tries every layout seen in the exports (vectorised: each layout is a column-wide
``strptime`` and the first success wins), so adapters never say which layout a column uses:

* Unix epochs, seconds or milliseconds (chosen by magnitude: ≥ 1e11 is milliseconds);
* zoned: ISO ``2023-05-01 12:00:00+08:00`` / ``…Z``, Weibo API ``Sat May 01 12:00:00 +0800 2023``,
  X legacy ``2015-09-30 18:42 +0000``;
* naive: ``%Y-%m-%d %H:%M(:%S)``, ``…T…``, ``%Y-%m-%d``, ``MM/DD/YYYY HH:MM`` (US order first),
  ``M-D-YYYY``, English month names (``Jun 27, 2023``, ``Mon Feb 17 2025``, ``Wed, Jan 1, 2025``),
  ``2025年3月8日`` — interpreted in the adapter's time zone, then converted to UTC;
* relative to the observation time (``reference``): ``刚刚``, ``N秒/分钟/小时/天前``, ``今天 HH:MM``,
  ``昨天 HH:MM``, ``前天 HH:MM``;
* yearless (``February 28``, ``8 de marzo``, ``18 de março``, ``3月8日``, ``03月08日 12:30``): the
  latest year whose date is not after the reference's local date (so January exports of December
  days land in the previous year).
"""

from __future__ import annotations

import polars as pl

from citypulse.parsing.text import is_missing, squish

UTC = pl.Datetime("us", "UTC")
NAIVE = pl.Datetime("us")

_ZONED_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M:%S%#z",
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%#z",
    "%Y-%m-%d %H:%M%#z",
    "%Y-%m-%dT%H:%M%#z",
    "%Y %b %d %H:%M:%S %z",  # the Weibo API layout after _reorder_weibo_api
)

_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%m/%d/%Y",
    "%m-%d-%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%a %b %d %Y",
    "%a, %b %d, %Y",
    "%a, %B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%Y年%m月%d日",
    "%Y%m%d",
)

MONTH_NAMES: dict[str, int] = {
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
        )
    },
    "sept": 9,
    # Spanish
    **{
        m: i
        for i, m in enumerate(
            [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            1,
        )
    },
    "setiembre": 9,
    # Portuguese
    **{
        m: i
        for i, m in enumerate(
            [
                "janeiro",
                "fevereiro",
                "março",
                "abril",
                "maio",
                "junho",
                "julho",
                "agosto",
                "setembro",
                "outubro",
                "novembro",
                "dezembro",
            ],
            1,
        )
    },
    "marco": 3,
    # Vietnamese ("18 tháng Sáu"), as TikTok writes them
    **{
        f"tháng {m}": i
        for i, m in enumerate(
            ["một", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười", "mười một", "mười hai"], 1
        )
    },
}


def _clean(expr: pl.Expr) -> pl.Expr:
    s = squish(expr).str.replace_all(r"\s+", " ")
    return pl.when(is_missing(expr)).then(None).otherwise(s)


def _reorder_weibo_api(s: pl.Expr) -> pl.Expr:
    # chrono cannot read %z before %Y; "Sat May 01 12:00:00 +0800 2023" → "2023 May 01 12:00:00 +0800"
    return s.str.replace(
        r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{1,2}:\d{2}:\d{2}) ([+-]\d{4}) (\d{4})$", "$5 $1 $2 $3 $4"
    )


def _epoch(s: pl.Expr) -> pl.Expr:
    n = (
        pl.when(s.str.contains(r"^\d{9,13}(?:\.\d+)?$"))
        .then(s)
        .otherwise(None)
        .cast(pl.Float64, strict=False)
    )
    ms = pl.when(n >= 1e11).then(n).otherwise(n * 1000.0).round(0).cast(pl.Int64)
    return pl.from_epoch(ms, time_unit="ms").cast(NAIVE).dt.replace_time_zone("UTC")


def _local_to_utc(naive: pl.Expr, tz: str) -> pl.Expr:
    return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
        "UTC"
    )


def _reference_local(reference: pl.Expr, tz: str) -> pl.Expr:
    return reference.cast(UTC).dt.convert_time_zone(tz).dt.replace_time_zone(None)


def _relative(s: pl.Expr, ref_local: pl.Expr) -> pl.Expr:
    """Chinese relative forms resolved against the local reference time (naive local result)."""
    ago = s.str.extract_groups(r"^(\d+)\s*(秒|分钟|小时|天)前$")
    n = ago.struct.field("1").cast(pl.Int64, strict=False)
    unit = ago.struct.field("2")
    ago_value = (
        pl.when(unit == "秒")
        .then(ref_local - pl.duration(seconds=n))
        .when(unit == "分钟")
        .then(ref_local - pl.duration(minutes=n))
        .when(unit == "小时")
        .then(ref_local - pl.duration(hours=n))
        .when(unit == "天")
        .then(ref_local - pl.duration(days=n))
    )
    day = s.str.extract_groups(r"^(今天|昨天|前天)\s*(\d{1,2}):(\d{2})$")
    days_back = day.struct.field("1").replace_strict(
        {"今天": 0, "昨天": 1, "前天": 2}, default=None, return_dtype=pl.Int64
    )
    day_value = (
        ref_local.dt.truncate("1d")
        - pl.duration(days=days_back)
        + pl.duration(
            hours=day.struct.field("2").cast(pl.Int64), minutes=day.struct.field("3").cast(pl.Int64)
        )
    )
    return pl.coalesce(pl.when(s == "刚刚").then(ref_local), ago_value, day_value)


def _yearless(s: pl.Expr, ref_local: pl.Expr) -> pl.Expr:
    """Month/day without a year (optionally with HH:MM) → the latest such day not after the reference."""
    low = s.str.to_lowercase()
    name_first = low.str.extract_groups(r"^([a-z]+)\.? (\d{1,2})$")
    day_first = low.str.extract_groups(r"^(\d{1,2}) (?:de )?([^\d\s,.]+(?: [^\d\s,.]+)?)\.?$")
    chinese = s.str.extract_groups(r"^(\d{1,2})月(\d{1,2})日\s*(?:(\d{1,2}):(\d{2}))?$")

    def month_of(name: pl.Expr) -> pl.Expr:
        return name.replace_strict(MONTH_NAMES, default=None, return_dtype=pl.Int64)

    month = pl.coalesce(
        month_of(name_first.struct.field("1")),
        month_of(day_first.struct.field("2")),
        chinese.struct.field("1").cast(pl.Int64, strict=False),
    )
    day = pl.coalesce(
        name_first.struct.field("2"), day_first.struct.field("1"), chinese.struct.field("2")
    ).cast(pl.Int64, strict=False)
    hour = chinese.struct.field("3").cast(pl.Int64, strict=False).fill_null(0)
    minute = chinese.struct.field("4").cast(pl.Int64, strict=False).fill_null(0)
    ref_date = ref_local.dt.date()
    year = ref_local.dt.year().cast(pl.Int64)
    candidates = []
    for back in range(5):  # Feb 29 may need up to four years back
        text = pl.format("{}-{}-{} {}:{}", year - back, month, day, hour, minute)
        when = text.str.strptime(NAIVE, "%Y-%m-%d %H:%M", strict=False)
        candidates.append(pl.when(when.dt.date() <= ref_date).then(when))
    return pl.when(month.is_not_null() & day.is_not_null()).then(pl.coalesce(candidates))


def parse_datetime(expr: pl.Expr, tz: str = "Asia/Shanghai", reference: pl.Expr | None = None) -> pl.Expr:
    """Any supported date/time text → ``Datetime("us", "UTC")``; NULL when missing or unreadable.

    ``tz`` is the zone of naive values; ``reference`` (a UTC datetime expression, normally the
    observation time) resolves relative and yearless forms, which stay NULL without it.
    """
    s = _clean(expr)
    zoned_input = _reorder_weibo_api(s)
    zoned = [zoned_input.str.strptime(UTC, fmt, strict=False) for fmt in _ZONED_FORMATS]
    naive = [s.str.strptime(NAIVE, fmt, strict=False) for fmt in _NAIVE_FORMATS]
    candidates = [_epoch(s), *zoned, _local_to_utc(pl.coalesce(naive), tz)]
    if reference is not None:
        ref_local = _reference_local(reference, tz)
        candidates.append(_local_to_utc(pl.coalesce(_relative(s, ref_local), _yearless(s, ref_local)), tz))
    return pl.coalesce(candidates)


def parse_date(expr: pl.Expr, tz: str = "Asia/Shanghai", reference: pl.Expr | None = None) -> pl.Expr:
    """A reporting date (``pl.Date``) as the platform states it, in its own zone."""
    return parse_datetime(expr, tz, reference).dt.convert_time_zone(tz).dt.date()
