"""What an adapter is: a declaration of one export format, mapped onto one lake entity.

An adapter is mostly data. The shared machinery (decoding, reading CSV/xlsx/JSON/zip, finding the
header row, parsing values, refusing bad rows, writing the lake) lives once, in
:mod:`citypulse.adapters.engine` and :mod:`citypulse.landing`; an adapter only says what varies.

How to write one (Python)
-------------------------
Create ``plugins/citypulse/adapters/<platform>_<format>.py`` exposing a module-level
``ADAPTERS: list[Adapter]``; the registry imports every module in this package, so nothing else
needs editing::

    from citypulse.adapters.base import Adapter, col

    ADAPTERS = [
        Adapter(
            name="tiktok_studio_overview",          # unique; shows in the ledger and in errors
            platform="tiktok",                      # one of citypulse.platforms.PLATFORMS
            entity="account_daily",                 # one of the lake entities
            signature=("Date", "Video Views", "Profile Views"),   # required header subset
            columns=(
                col("date", "Date", "Data", parser="date"),       # target ← source alternatives
                col("views", "Video Views", "Visualizações de vídeo", parser="count"),
                col("profile_views", "Profile Views", parser="count"),
            ),
            timezone="UTC",                          # zone of naive timestamps in the file
        )
    ]

Rules the engine applies for you:

* **Detection** is by header signature (never the file name): a table matches when every
  signature name is among its headers, compared after :func:`normalise_header` (BOM, quotes and
  whitespace stripped, NFKC, case-folded). The header row is searched in the first
  ``header_search_rows`` rows, so preambles (``sep=,``, titles) are skipped. When several adapters
  match, the one with the longest signature wins, then the higher ``priority``. Formats that
  share a header (Meta's lifetime and per-day content exports) are told apart by ``content``, a
  :class:`ContentMatch` over the first data rows and the preamble.
* **Values** are read as strings and parsed by name (:data:`citypulse.parsing.PARSERS`: ``text``,
  ``id``, ``topic``, ``bool``, ``count``, ``number``, ``rate``, ``percent``, ``duration``,
  ``datetime``, ``date``). A missing source column gives NULL. A value that is present but
  unreadable refuses the row into ``_rejects`` naming row, column and value.
* **Day/month order**: each ``date``/``datetime`` column has one order for the whole file, proven
  by its values (a part above 12); where none decides, the manifest's or the adapter's
  ``date_order`` does, and with neither the file is quarantined (never guessed). Formats that
  write numeric dates month-first (Meta, legacy Facebook, X) declare ``date_order="MDY"``.
* **Repeated header rows** inside the data are refused with reason ``repeated header row``;
  ``row_filters`` refuse other non-data rows (e.g. a ``Total`` row) with their own reason.
* ``account_id`` / ``account_name`` fall back to the folder manifest; after ``finish`` (which may
  add its own fallback, e.g. a user id in the file name) a still-missing ``account_id`` becomes the
  account folder name (``inbox/<platform>/<account>/``); ``observed_at`` comes from the manifest, the file name, ``observed_at_column`` or mtime.
* **Row rules**: ``required`` columns present (default per entity, see :data:`DEFAULT_REQUIRED`),
  counts ≥ 0 (except ``signed`` columns), ``published_at`` not after ``observed_at`` + 1 day, known
  platform.
* Hooks for the little that needs code: ``prepare`` rewrites the raw string frame (columns named
  by normalised header; extra positional cells of ragged rows are ``_extra_1``, ``_extra_2``…)
  before parsing; ``finish`` rewrites the typed frame (canonical columns plus the raw columns as
  ``src:<header>``) after parsing, e.g. to build surrogate ids. ``rules`` add adapter-specific
  refusals. Hooks get a :class:`Context`: file name, observation time, zone, manifest facts, the
  header, and the ``preamble`` (cells of the rows above the header, e.g. a title line). Hooks
  must be polars expressions over whole columns, never Python loops over rows.

Adapters can also be written without code, as YAML (see ``docs/adapters.md`` and
:mod:`citypulse.adapters.yaml_loader`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import polars as pl

from citypulse.lake import reasons
from citypulse.lake.schema import ENTITIES
from citypulse.parsing import PARSERS
from citypulse.parsing.dates import DATE_ORDERS
from citypulse.parsing.text import normalise_header
from citypulse.settings import LOCAL_TZ

__all__ = [
    "Adapter",
    "Column",
    "ContentMatch",
    "Context",
    "RowFilter",
    "RowRule",
    "col",
    "normalise_header",
    "src",
    "DEFAULT_REQUIRED",
    "NOT_DATA",
    "FORMATS",
]

FORMATS = frozenset({"csv", "xlsx", "json", "jsonl"})

DEFAULT_REQUIRED: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "post_observations": ("post_id", "account_id"),
        "account_observations": ("account_id",),
        "account_daily": ("account_id", "date"),
        "topic_observations": ("topic",),
        "post_daily": ("post_id", "date"),
        "audience_breakdown": ("account_id", "dimension", "bucket", "metric"),
    }
)
"""Canonical columns that must be present in every landed row ("ids present")."""


NOT_DATA = "_not_data"
"""A column a ``prepare`` hook may add: on rows that are not data (e.g. the row naming a
section's buckets), the reason; such rows are refused with it, so ``rows_in`` still adds up."""


def src(header: str) -> pl.Expr:
    """The raw string value of a source column inside ``finish`` hooks and ``rules``."""
    return pl.col(f"src:{normalise_header(header)}")


@dataclass(frozen=True)
class Column:
    """A canonical column, filled from the first source header present, through a named parser."""

    target: str
    sources: tuple[str, ...]
    parser: str = "text"

    def __post_init__(self) -> None:
        if self.parser not in PARSERS:
            raise ValueError(f"column {self.target!r}: unknown parser {self.parser!r}")


def col(target: str, *sources: str, parser: str = "text") -> Column:
    """Shorthand: ``col("views", "播放量", "Views", parser="count")``."""
    return Column(target, tuple(sources), parser)


@dataclass(frozen=True)
class RowFilter:
    """Refuse non-data rows whose source ``column`` equals (normalised) one of ``values``;
    ``code`` is the reason's stable category (citypulse.lake.reasons)."""

    column: str
    values: tuple[str, ...]
    reason: str
    code: str = reasons.NOT_DATA_ROW


@dataclass(frozen=True)
class RowRule:
    """An adapter-specific refusal: rows where ``when`` (an expression over the typed frame) is
    true go to ``_rejects`` with ``reason``; ``column`` names the column it concerns.

    ``keys``: the rule compares rows across the whole file (a window such as "this post appears
    again later"), reading only these typed columns and the row order. A file landed in row
    batches evaluates such a rule once over these columns of every row, before the batches.

    ``value``: the offending raw value (e.g. ``src("Women")``), recorded in the reject and quoted
    in the reason before it (``'3.апр' <reason>``); without it the reject names no value.

    ``code``: the reason's stable category (citypulse.lake.reasons), what dashboards group by.
    """

    column: str
    when: Callable[[], pl.Expr]
    reason: str
    keys: tuple[str, ...] = ()
    value: Callable[[], pl.Expr] | None = None
    code: str = reasons.PLATFORM_RULE


@dataclass(frozen=True)
class Sample:
    """What detection shows a :class:`ContentMatch`: the first data rows under the header (all
    text, columns named by normalised header) and the preamble cells above the header."""

    rows: pl.DataFrame
    preamble: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentMatch:
    """Formats that share a header told apart by content (Meta's lifetime and per-day content
    exports; a chart export whose title names Instagram, not Facebook): a table whose header
    matches the signature is this adapter's only when ``test`` holds for the :class:`Sample`.

    ``expects`` says, for people, what the content must look like; a table that matches no
    adapter is quarantined naming it. Detection sees only the first ``CONTENT_SAMPLE_ROWS`` data
    rows (the same rows whether a file is landed whole or in row batches); rows further down that
    contradict the decision are for the adapter's own row rules or parsers to refuse.
    """

    expects: str
    test: Callable[[Sample], bool]


CONTENT_SAMPLE_ROWS = 50


def every_filled_value(column: str, when: Callable[[pl.Expr], pl.Expr]) -> Callable[[Sample], bool]:
    """A :class:`ContentMatch` test: the sample's filled cells of ``column`` (a source header) all
    satisfy ``when`` and at least one is filled. A table without the column passes (the content
    says nothing against the format)."""
    name = normalise_header(column)

    def test(sample: Sample) -> bool:
        if name not in sample.rows.columns:
            return True
        values = sample.rows.select(pl.col(name).str.strip_chars()).to_series().drop_nulls()
        values = values.filter(values != "")
        return bool(values.len()) and bool(values.to_frame().select(when(pl.col(name)).all()).item())

    return test


@dataclass(frozen=True)
class Context:
    """Facts about the file being landed that adapters may use in hooks."""

    adapter: Adapter
    file_name: str  # path relative to the inbox
    observed_at: datetime  # UTC
    timezone: str  # adapter zone, or the manifest's ``timezone`` override
    account_id: str | None = None  # from the folder manifest
    account_name: str | None = None  # from the folder manifest
    city_code: str | None = None
    account_folder: str | None = None  # inbox/<platform>/<account>/: last-resort account id
    header: tuple[str, ...] = ()  # normalised header names in file order (then _extra_N)
    # non-empty cells of the rows above the header, in file order (``sep=,``, a title line such
    # as Meta's "Facebook follows"): some exports name their metric only there
    preamble: tuple[str, ...] = ()
    # the reporting period the folder manifest states (exports such as audience tables that do
    # not say it themselves); None when it does not
    period_start: date | None = None
    period_end: date | None = None
    # the folder manifest's day/month order (DMY, MDY, YMD); it wins over Adapter.date_order
    date_order: str | None = None

    def observed_at_expr(self) -> pl.Expr:
        return pl.lit(self.observed_at, dtype=pl.Datetime("us", "UTC"))


Hook = Callable[[pl.LazyFrame, Context], pl.LazyFrame]


@dataclass(frozen=True)
class Adapter:
    """One export format → one lake entity (see the module docstring for how it is used)."""

    name: str
    platform: str
    entity: str
    signature: tuple[str, ...]
    columns: tuple[Column, ...]
    timezone: str = LOCAL_TZ
    formats: frozenset[str] = FORMATS
    description: str = ""
    header_search_rows: int = 30
    skip_after_header: int = 0  # description rows under the header (legacy Facebook)
    row_filters: tuple[RowFilter, ...] = ()
    rules: tuple[RowRule, ...] = ()
    required: tuple[str, ...] | None = None  # None: DEFAULT_REQUIRED[entity]
    signed: tuple[str, ...] = ()  # Int64 columns that may be negative
    constants: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"is_hot_search": True}
    observed_at_column: str | None = None  # canonical column whose max is the content observed_at
    observed_at_parser: str = "datetime"
    sheets: tuple[str, ...] = ()  # preferred xlsx sheet names (others are still scanned)
    prepare: Hook | None = None
    finish: Hook | None = None
    priority: int = 0
    content: ContentMatch | None = None  # formats sharing a header, told apart by content
    # the day/month order of the format's numeric dates (DMY, MDY, YMD), used only where a file's
    # values do not decide it (every day ≤ 12): None refuses such a file rather than guessing
    date_order: str | None = None
    # False when a hook looks across rows (row order, neighbours): such a file is always landed
    # whole, never in row batches (RowRule.keys covers windows over keys)
    row_batches: bool = True
    # more adapters applied to every table this one detects: a second entity read from the same
    # rows (a search crawl's post rows also carry each author's follower count). They are never
    # detected on their own (their signature is not used); their rows and rejects are written like
    # any adapter's, while the ledger counts the table's rows as this adapter lands them.
    also: tuple[Adapter, ...] = ()

    def __post_init__(self) -> None:
        if self.entity not in ENTITIES:
            raise ValueError(f"adapter {self.name}: unknown entity {self.entity!r}")
        unknown = [c.target for c in self.columns if c.target not in ENTITIES[self.entity]]
        if unknown:
            raise ValueError(f"adapter {self.name}: {unknown} are not columns of {self.entity}")
        if not self.signature:
            raise ValueError(f"adapter {self.name}: empty header signature")
        if not set(self.formats) <= FORMATS:
            raise ValueError(f"adapter {self.name}: unknown formats {set(self.formats) - FORMATS}")
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise ValueError(
                f"adapter {self.name}: unknown date_order {self.date_order!r}; known: {', '.join(DATE_ORDERS)}"
            )
        if any(extra.also for extra in self.also):
            raise ValueError(f"adapter {self.name}: an `also` adapter cannot have `also` adapters of its own")

    @property
    def required_columns(self) -> tuple[str, ...]:
        return DEFAULT_REQUIRED[self.entity] if self.required is None else self.required

    @property
    def normalised_signature(self) -> tuple[str, ...]:
        return tuple(normalise_header(h) for h in self.signature)

    def missing_from(self, headers: set[str]) -> list[str]:
        """Signature columns (as declared) absent from a set of normalised header names."""
        return [h for h in self.signature if normalise_header(h) not in headers]


def superseded_by_later_append() -> pl.Expr:
    """True for every row of a post that appears again further down the file.

    Crawlers that append to one file per account (weibo-crawler, weiboSpider) write the same post
    once per run with the counts of that run; the last row is the newest. Only it can stand for
    the file's observation time, so the earlier rows are refused (with this reason) rather than
    landed as two different values for one observation.
    """
    return pl.col("post_id").is_not_null() & ~pl.col("post_id").is_last_distinct()


SUPERSEDED_REASON = "the same post appears again later in this appended file (the last, newest row is kept)"
