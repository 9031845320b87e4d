"""Dates and times as polars expressions, always returned in UTC (or as a local ``Date``).

Adapters never say which layout a column uses; every layout seen in the exports is known:

* Unix epochs, seconds or milliseconds (chosen by magnitude: ≥ 1e11 is milliseconds);
* zoned: ISO ``2023-05-01 12:00:00+08:00`` / ``…Z``, Weibo API ``Sat May 01 12:00:00 +0800 2023``,
  X legacy ``2015-09-30 18:42 +0000``;
* naive: ``%Y-%m-%d %H:%M(:%S)``, ``…T…``, ``%Y-%m-%d``, day and month before a four-digit year
  (``MM/DD/YYYY HH:MM``, ``M-D-YYYY``, ``DD-MM-YYYY``, ``D.M.YYYY``; see *Day/month order*), English
  month names (``Jun 27, 2023``, ``Mon Feb 17 2025``, ``Wed, Jan 1, 2025``), ``2025年3月8日`` —
  interpreted in the adapter's time zone, then converted to UTC;
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

Day/month order. ``01-07-2025`` is 1 July in a day-first file and 7 January in a month-first one;
no single value says which, and trying one order per value first swaps day and month silently on
every day ≤ 12 (and refuses the rest). So a column has **one** order, decided from all of its
values (:func:`order_evidence`, :func:`decide_order`): a first part 13–31 before a month proves
day-first (``DMY``), a second part 13–31 after a month proves month-first (``MDY``). Where no value
decides, the order declared for the file (folder manifest, else adapter) does; with none, the file
is refused (:class:`DateOrderError`), never guessed; values proving both orders refuse it too.
Year-first values (``2025-07-01``) are ``YMD`` and need no decision. The landing engine decides
over the whole file (every row batch of a big CSV) and passes the order to the parser; called
without one, the parser decides over the values it is given and leaves undecidable ones NULL.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import polars as pl

from citypulse.errors import CityPulseError
from citypulse.parsing.text import is_missing, squish
from citypulse.settings import LOCAL_TZ

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
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
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

DATE_ORDERS = ("DMY", "MDY", "YMD")
AMBIGUOUS_ORDER = "日/月顺序无法确定 (ambiguous day/month order)"
CONTRADICTORY_ORDER = "日/月顺序矛盾 (contradictory day/month order)"

# day and month before a four-digit year, as exports write them (spreadsheets re-save ISO dates
# this way); the clock forms follow the date as in the year-first layouts
_DAY_MONTH_SEPARATORS = ("/", "-", ".")
_DAY_MONTH_CLOCKS = (" %I:%M:%S %p", " %I:%M %p", " %H:%M:%S", " %H:%M", "")
# what those layouts read, for deciding the order without parsing: ASCII digits only (``\d`` is
# Unicode-aware, and chrono reads ASCII digits only); ``\s`` covers what ``squish`` strips except
# the zero-width and BOM characters, which the decoder already removes
_DAY_MONTH_SHAPE = r"^\s*[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{4}(?:[^0-9]|$)"
_DAY_MONTH_PARTS = r"^(([0-9]{1,2})[-/.]([0-9]{1,2})[-/.][0-9]{4})"
_BLANKS = " \t\r\n\ufeff\u200b\u00a0\u3000"
_DATE_PART = 10  # characters of ``DD-MM-YYYY``: the head of a value that holds its date


def _day_month_formats(order: str) -> tuple[str, ...]:
    """The day/month-first layouts in one order (none for ``YMD``: only year-first values then)."""
    if order not in ("DMY", "MDY"):
        return ()
    first, second = ("%d", "%m") if order == "DMY" else ("%m", "%d")
    return tuple(
        f"{first}{sep}{second}{sep}%Y{clock}" for sep in _DAY_MONTH_SEPARATORS for clock in _DAY_MONTH_CLOCKS
    )


class DateOrderError(CityPulseError):
    """A date column whose day/month order its values do not decide and nothing declares, or
    whose values prove both orders: the whole file is refused (quarantined), never guessed."""


@dataclass(frozen=True)
class OrderEvidence:
    """What a date column's values say about their day/month order: the first value (in file
    order) proving each order, and the first one both of whose parts could be the month."""

    day_first: str | None = None  # e.g. ``13-06-2025``
    month_first: str | None = None  # e.g. ``06-13-2025``
    ambiguous: str | None = None  # e.g. ``01-07-2025``

    @classmethod
    def of(cls, heads: pl.Series | None) -> OrderEvidence:
        """From the distinct day/month-first heads of a column (see :func:`day_month_heads`)."""
        if heads is None or not heads.len():
            return cls()
        parts = heads.str.extract_groups(_DAY_MONTH_PARTS)
        day_month = parts.struct.field("1")
        first = parts.struct.field("2").cast(pl.Int32)
        second = parts.struct.field("3").cast(pl.Int32)
        first_month = first.is_between(1, 12)
        second_month = second.is_between(1, 12)

        def first_where(proof: pl.Series) -> str | None:
            found = day_month.filter(proof)
            return found[0] if found.len() else None

        return cls(
            first_where(first.is_between(13, 31) & second_month),
            first_where(first_month & second.is_between(13, 31)),
            first_where(first_month & second_month),
        )

    def then(self, later: OrderEvidence) -> OrderEvidence:
        """This evidence followed by that of later rows (row batches of one file, in order)."""
        return OrderEvidence(
            self.day_first if self.day_first is not None else later.day_first,
            self.month_first if self.month_first is not None else later.month_first,
            self.ambiguous if self.ambiguous is not None else later.ambiguous,
        )


def day_month_heads(expr: pl.Expr) -> pl.Expr:
    """An aggregate of a raw date column: the distinct heads (date parts) of its values written
    day/month first, in file order, as one list; :meth:`OrderEvidence.of` reads them.

    Cheap, and nothing is parsed: one regex match over the column picks the values written
    day/month first, and their heads are days, not instants (a few thousand distinct at most),
    so only those are split into numbers and compared.
    """
    text = expr.cast(pl.String)
    return (
        text.filter(text.str.contains(_DAY_MONTH_SHAPE))
        .str.strip_chars_start(_BLANKS)
        .str.slice(0, _DATE_PART)
        .unique(maintain_order=True)
        .implode()
    )


def order_evidence(frame: pl.DataFrame | pl.LazyFrame, columns: list[str]) -> dict[str, OrderEvidence]:
    """What each raw date column of ``frame`` says about its day/month order (one pass each)."""
    if not columns:
        return {}
    heads = frame.lazy().select(day_month_heads(pl.col(c)).alias(c) for c in columns).collect()
    return {c: OrderEvidence.of(heads[c][0]) for c in columns}


def decide_order(evidence: OrderEvidence, declared: str | None, column: str) -> str:
    """The column's order (``DMY``, ``MDY``, or ``YMD`` when no value is written day/month first):
    proven by its values, else ``declared``; raises :class:`DateOrderError` when neither decides
    or when the values prove both."""
    if evidence.day_first is not None and evidence.month_first is not None:
        raise DateOrderError(
            f"{CONTRADICTORY_ORDER}: column {column}: '{evidence.day_first}' can only be day-first "
            f"and '{evidence.month_first}' only month-first"
        )
    if evidence.day_first is not None:
        return "DMY"
    if evidence.month_first is not None:
        return "MDY"
    if evidence.ambiguous is None:
        return declared if declared in ("DMY", "MDY") else "YMD"
    if declared in ("DMY", "MDY"):
        return declared
    stated = f" (the declared order {declared} is year-first)" if declared else ""
    raise DateOrderError(
        f"{AMBIGUOUS_ORDER}: column {column}: no value tells day from month (e.g. "
        f"'{evidence.ambiguous}'){stated}; declare the order in the folder's _manifest.yaml "
        "(date_order: DMY or date_order: MDY)"
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


def _layouts(s: pl.Expr, tz: str, ref_local: pl.Expr | None, order: str) -> list[pl.Expr]:
    """Every layout as an expression giving the UTC instant, in priority order; day/month-first
    layouts in ``order`` only."""
    zoned_input = _reorder_weibo_api(s)
    layouts = [_epoch(s)]
    layouts += [zoned_input.str.strptime(UTC, fmt, strict=False) for fmt in _ZONED_FORMATS]
    naive = _NAIVE_FORMATS + _day_month_formats(order)
    layouts += [_local_to_utc(s.str.strptime(NAIVE, fmt, strict=False), tz) for fmt in naive]
    if ref_local is not None:
        layouts += [_local_to_utc(_relative(s, ref_local), tz), _local_to_utc(_yearless(s, ref_local), tz)]
    return layouts


def _sample(rows: pl.Series) -> pl.Series:
    if rows.len() <= 2 * _SAMPLE:
        return rows
    return pl.concat([rows.head(_SAMPLE), rows.gather_every(max(1, rows.len() // _SAMPLE))])


def _own_order(frame: pl.DataFrame) -> str:
    """The order the values themselves prove; ``YMD`` (no day/month-first layout, so such values
    stay unread) when they prove none or both: without a declared order nothing is guessed."""
    try:
        return decide_order(order_evidence(frame, [_VALUE])[_VALUE], None, _VALUE)
    except DateOrderError:
        return "YMD"


def _parse_batch(batch: pl.Series, tz: str, with_reference: bool, order: str | None) -> pl.Series:
    """Cleaned texts (struct field ``v``; reference ``r``) → UTC instants; see the module docstring."""
    frame = batch.struct.unnest()
    result = pl.repeat(None, frame.height, dtype=UTC, eager=True).alias(batch.name)
    ref_local = _reference_local(pl.col(_REF), tz) if with_reference else None
    remaining = _layouts(pl.col(_VALUE), tz, ref_local, order or _own_order(frame))
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


def parse_datetime(
    expr: pl.Expr, tz: str = LOCAL_TZ, reference: pl.Expr | None = None, order: str | None = None
) -> pl.Expr:
    """Any supported date/time text → ``Datetime("us", "UTC")``; NULL when missing or unreadable.

    ``tz`` is the zone of naive values; ``reference`` (a UTC datetime expression, normally the
    observation time) resolves relative and yearless forms, which stay NULL without it. ``order``
    (``DMY``/``MDY``/``YMD``) is the day/month order decided for the whole column; without it the
    values given decide, and day/month-first values they leave undecided are NULL.
    """
    if order is not None and order not in DATE_ORDERS:
        raise ValueError(f"unknown date order {order!r}; known: {', '.join(DATE_ORDERS)}")
    fields = [_clean(expr).alias(_VALUE)]
    if reference is not None:
        fields.append(reference.cast(UTC).alias(_REF))
    return pl.struct(fields).map_batches(
        partial(_parse_batch, tz=tz, with_reference=reference is not None, order=order),
        return_dtype=UTC,
        is_elementwise=True,
    )


def parse_date(
    expr: pl.Expr, tz: str = LOCAL_TZ, reference: pl.Expr | None = None, order: str | None = None
) -> pl.Expr:
    """A reporting date (``pl.Date``) as the platform states it, in its own zone."""
    return parse_datetime(expr, tz, reference, order).dt.convert_time_zone(tz).dt.date()
