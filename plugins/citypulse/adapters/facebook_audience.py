"""Meta Business Suite Insights → Audience export: stacked sections → ``audience_breakdown``.

One CSV holds several tables, each under a title row and after a blank row; the reader splits
them into tables of their own (:func:`citypulse.adapters.readers.split_sections`: the sections
are separate tables, so each is detected by its own header and the ``Follows`` section keeps
landing through :mod:`facebook_page_daily`), and each section is read here::

    Age & gender            → dimension age_gender, bucket "Women 18-24" (gender, a space, band)
    ;Women;Men
    18-24;3.4;1.6
    Top towns/cities        → dimension city: a row of names, then a row of values
    Pleven, Bulgaria;Sofia, Bulgaria;…
    74.3;4.6;…
    Top countries           → dimension country, the same layout
    Follows                 → account_daily (facebook_page_daily, metric from the title)
    Date;Primary
    Top Pages               → refused: no lake dimension (see below)

Every value is the bucket's percentage of the page's audience → metric ``audience`` with
``share`` = percent / 100 and no ``value`` (vocabulary in :mod:`._audience`); one lake row per
cell, with the cell's line as ``source_row``.

Traps (real-exports/facebook/vintage-mbs-audience-multisection-cp1251.csv):

* re-saved by a Bulgarian Excel: Windows-1251, CRLF, ``;``, every line padded to 10 fields;
* **that Excel turned percentages into dates**: ``3.4`` became ``3.апр`` (3 April), ``17.6``
  ``17.юни``; the month stands for the lost decimal digit, but nothing in the file proves it.
  Such a cell is refused on its own (its bucket's other cells still land) with the reason "is a
  number a spreadsheet turned into a date"; it is never repaired. Plain numbers (``15``) land;
* the names row of a towns/countries section is not a data row of its own: its names become the
  buckets of the values row below it (a values cell with no name is refused: no bucket);
* ``Top Pages`` (other Pages this audience follows, with Meta's scores, which are not shares of
  anything) has no place in ``audience_breakdown``: its rows are refused with that reason. Its
  Cyrillic page names are UTF-16 bytes inside the Windows-1251 file and do not read as text;
* the export states neither its period nor its page: ``period_start``/``period_end`` come from
  the folder manifest (NULL without), ``account_id`` from the manifest or the account folder.
"""

from __future__ import annotations

import polars as pl

from citypulse.adapters._audience import (
    BUCKET,
    DATE_LIKE_REASON,
    METRIC,
    as_date_column,
    split_date_like,
    with_period,
)
from citypulse.adapters.base import NOT_DATA, Adapter, Context, Hook, RowRule, col, src
from citypulse.adapters.facebook_business_posts import META_BUSINESS_SUITE_TZ
from citypulse.adapters.readers import ROW
from citypulse.lake import reasons
from citypulse.parsing.text import is_missing, normalise_header

GENDERS = ("Women", "Men")
TOWNS = "Top towns/cities"
COUNTRIES = "Top countries"
TOP_PAGES = "Top Pages"
NAMES_ROW = "the names of the section's buckets (its header row, not data)"
AUDIENCE = "audience"

NO_DIMENSION = (
    "Meta's Top Pages (other Pages this audience follows, scored by Meta, not shares of the "
    "audience) have no audience_breakdown dimension; the rows stay here and in raw/"
)


def _cells(
    lf: pl.LazyFrame, parts: list[tuple[pl.Expr, str, pl.Expr]], headers: tuple[str, ...]
) -> pl.LazyFrame:
    """One row per (source row, part): ``parts`` are (bucket, source header, cell); each cell
    keeps a column named by its header (so a refusal names it), NULL on the other parts' rows.
    A cell with neither bucket nor value (padding) gives no row."""
    names = [normalise_header(h) for h in headers]
    rows = []
    for order, (bucket, header, cell) in enumerate(parts):
        rows.append(
            lf.select(
                pl.all().exclude(names),
                bucket.alias(BUCKET),
                cell.alias(normalise_header(header)),
                pl.lit(order).alias("_order"),
            ).filter(~is_missing(pl.col(BUCKET)) | ~is_missing(pl.col(normalise_header(header))))
        )
    return pl.concat(rows, how="diagonal_relaxed").sort(ROW, "_order").drop("_order")


def _age_gender(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
    band = ctx.header[0]  # the unnamed first column of ";Women;Men"
    label = pl.col(band).str.strip_chars()
    parts = [
        (
            pl.when(~is_missing(label)).then(pl.format(f"{g} {{}}", label)).otherwise(None),
            g,
            pl.col(normalise_header(g)),
        )
        for g in GENDERS
    ]
    rows = _cells(lf, parts, GENDERS).with_columns(pl.lit(AUDIENCE).alias(METRIC))
    return split_date_like(rows, GENDERS)


def _names_then_values(title: str) -> Hook:
    """A section whose first row names the buckets and whose next row holds their values."""
    value_column = normalise_header(title)

    def prepare(lf: pl.LazyFrame, ctx: Context) -> pl.LazyFrame:
        cells = [c for c in lf.collect_schema().names() if c != ROW]
        position = {name: i for i, name in enumerate(cells)}
        long = lf.unpivot(on=cells, index=ROW, variable_name="_position", value_name="_cell").with_columns(
            pl.col("_position").replace_strict(position, return_dtype=pl.Int64)
        )
        names_row = pl.col(ROW) == pl.col(ROW).min()
        names = long.filter(names_row).select("_position", pl.col("_cell").str.strip_chars().alias(BUCKET))
        rows = (
            long.filter(~names_row)
            .join(names, on="_position", how="left")
            .filter(~is_missing(pl.col(BUCKET)) | ~is_missing(pl.col("_cell")))
            .sort(ROW, "_position")
            .select(ROW, BUCKET, pl.col("_cell").alias(value_column), pl.lit(AUDIENCE).alias(METRIC))
        )
        # the names row is the section's second header: refused as such, its names in the record
        header_row = (
            long.filter(names_row)
            .group_by(ROW)
            .agg(pl.col("_cell").sort_by("_position").drop_nulls().str.join("; ").alias(BUCKET))
            .with_columns(pl.lit(NAMES_ROW).alias(NOT_DATA))
        )
        return pl.concat([header_row, split_date_like(rows, (title,))], how="diagonal_relaxed").sort(ROW)

    return prepare


def _mangled(header: str) -> RowRule:
    moved = as_date_column(header)
    return RowRule(
        header,
        lambda: src(moved).is_not_null(),
        DATE_LIKE_REASON,
        value=lambda: src(moved),
        code=reasons.NUMBER_UNPARSEABLE,
    )


def _every_row() -> pl.Expr:
    return pl.lit(True)


def _section(name: str, title: str, dimension: str) -> Adapter:
    return Adapter(
        name=name,
        platform="facebook",
        entity="audience_breakdown",
        description=f"Meta Business Suite Audience export, '{title}' section (a names row, a values row)",
        signature=(title,),
        columns=(col("bucket", BUCKET), col("metric", METRIC), col("share", title, parser="percent")),
        constants={"dimension": dimension},
        timezone=META_BUSINESS_SUITE_TZ,
        prepare=_names_then_values(title),
        finish=with_period,
        rules=(_mangled(title),),
        row_batches=False,  # the names row gives the values row its buckets
    )


ADAPTERS = [
    Adapter(
        name="facebook_audience_age_gender",
        platform="facebook",
        entity="audience_breakdown",
        description="Meta Business Suite Audience export, 'Age & gender' section (bands × Women/Men)",
        signature=GENDERS,
        columns=(col("bucket", BUCKET), col("metric", METRIC), col("share", *GENDERS, parser="percent")),
        constants={"dimension": "age_gender"},
        timezone=META_BUSINESS_SUITE_TZ,
        prepare=_age_gender,
        finish=with_period,
        rules=tuple(_mangled(g) for g in GENDERS),
    ),
    _section("facebook_audience_cities", TOWNS, "city"),
    _section("facebook_audience_countries", COUNTRIES, "country"),
    Adapter(
        name="facebook_audience_top_pages",
        platform="facebook",
        entity="audience_breakdown",
        description="Meta Business Suite Audience export, 'Top Pages' section (recognised, not modelled)",
        signature=(TOP_PAGES,),
        columns=(),
        timezone=META_BUSINESS_SUITE_TZ,
        required=(),
        rules=(RowRule(TOP_PAGES, _every_row, NO_DIMENSION, code=reasons.OUT_OF_SCOPE),),
    ),
]
