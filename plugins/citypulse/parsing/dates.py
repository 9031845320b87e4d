"""Dates and times as polars expressions, always returned in UTC (or as a local ``Date``).

Adapters never say which layout a column uses; every layout seen in the exports is known:

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

How it stays fast: a column uses one or two of these ~40 layouts, and trying all of them on every
value cost ~45 µs per value. So a column batch is parsed in rounds, each whole-column: a sample of
the still-unread values (its head and values spread over it) tries every layout left, which tells
which layouts the column uses; those run, in priority order, each only on the rows still unread.
Layouts that read no sampled value wait for the next round (sampled from what is still unread);
when no layout reads any sampled value, the rest tries every remaining layout at once. So every
value still gets the first layout that reads it, except where a later layout was found first:
layouts that both read a text give the same instant, so that never changes a value.
"""

from __future__ import annotations

from functools import partial

import polars as pl

from citypulse.parsing.text import is_missing, squish

UTC = pl.Datetime("us", "UTC")
NAIVE = pl.Datetime("us")

# Whole seconds before fractions: polars reads a layout without ``%.f`` on its fast path, about
# five times faster, and most exports write whole seconds (a text both read is the same instant).
_ZONED_FORMATS = (
    "%Y-%m-%d %H:%M:%S%#z",
    "%Y-%m-%d %H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M:%S%#z",
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%d %H:%M%#z",
    "%Y-%m-%dT%H:%M%#z",
    "%Y %b %d %H:%M:%S %z",  # the Weibo API layout after _reorder_weibo_api
)

_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
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
    s = squish(expr)
    # whitespace runs become one space; rewriting only the values that have one saves most of
    # the cost (dates rarely do)
    s = pl.when(s.str.contains(r"[^\S ]| \s")).then(s.str.replace_all(r"\s+", " ")).otherwise(s)
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


_VALUE = "v"
_REF = "r"
_SAMPLE = 256  # values from the head of the still-unread rows, and as many spread over the rest


def _layouts(s: pl.Expr, tz: str, ref_local: pl.Expr | None) -> list[pl.Expr]:
    """Every layout as an expression giving the UTC instant, in priority order."""
    zoned_input = _reorder_weibo_api(s)
    layouts = [_epoch(s)]
    layouts += [zoned_input.str.strptime(UTC, fmt, strict=False) for fmt in _ZONED_FORMATS]
    layouts += [_local_to_utc(s.str.strptime(NAIVE, fmt, strict=False), tz) for fmt in _NAIVE_FORMATS]
    if ref_local is not None:
        layouts += [_local_to_utc(_relative(s, ref_local), tz), _local_to_utc(_yearless(s, ref_local), tz)]
    return layouts


def _sample(rows: pl.Series) -> pl.Series:
    if rows.len() <= 2 * _SAMPLE:
        return rows
    return pl.concat([rows.head(_SAMPLE), rows.gather_every(max(1, rows.len() // _SAMPLE))])


def _parse_batch(batch: pl.Series, tz: str, with_reference: bool) -> pl.Series:
    """Cleaned texts (struct field ``v``; reference ``r``) → UTC instants; see the module docstring."""
    frame = batch.struct.unnest()
    result = pl.repeat(None, frame.height, dtype=UTC, eager=True).alias(batch.name)
    ref_local = _reference_local(pl.col(_REF), tz) if with_reference else None
    remaining = _layouts(pl.col(_VALUE), tz, ref_local)
    unread = frame.select(pl.col(_VALUE).is_not_null().arg_true()).to_series()
    while unread.len() and remaining:
        sample = frame[_sample(unread)]
        reads = sample.select([e.is_not_null().any().alias(str(i)) for i, e in enumerate(remaining)]).row(0)
        used = [e for e, read in zip(remaining, reads, strict=True) if read]
        if not used:
            # no layout reads the sampled values: the rest (unreadable, or rare layouts) tries them all
            values = frame[unread].select(pl.coalesce(remaining)).to_series()
            return result.scatter(unread, values)
        for layout in used:  # each layout only on the rows still unread: most columns need one pass
            every_row = unread.len() == frame.height  # nothing read yet: no gather, no scatter
            values = (frame if every_row else frame[unread]).select(layout).to_series()
            result = values.alias(batch.name) if every_row else result.scatter(unread, values)
            unread = unread.filter(values.is_null())
            if not unread.len():
                break
        remaining = [e for e, read in zip(remaining, reads, strict=True) if not read]
    return result


def parse_datetime(expr: pl.Expr, tz: str = "Asia/Shanghai", reference: pl.Expr | None = None) -> pl.Expr:
    """Any supported date/time text → ``Datetime("us", "UTC")``; NULL when missing or unreadable.

    ``tz`` is the zone of naive values; ``reference`` (a UTC datetime expression, normally the
    observation time) resolves relative and yearless forms, which stay NULL without it.
    """
    fields = [_clean(expr).alias(_VALUE)]
    if reference is not None:
        fields.append(reference.cast(UTC).alias(_REF))
    return pl.struct(fields).map_batches(
        partial(_parse_batch, tz=tz, with_reference=reference is not None),
        return_dtype=UTC,
        is_elementwise=True,
    )


def parse_date(expr: pl.Expr, tz: str = "Asia/Shanghai", reference: pl.Expr | None = None) -> pl.Expr:
    """A reporting date (``pl.Date``) as the platform states it, in its own zone."""
    return parse_datetime(expr, tz, reference).dt.convert_time_zone(tz).dt.date()
