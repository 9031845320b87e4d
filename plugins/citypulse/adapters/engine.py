"""The shared machinery behind every adapter: detect the format, map, parse, refuse bad rows.

``detect`` finds, for each table of a file, the adapter whose header signature matches (and the
row the header is on); ``apply`` turns the table into canonical lake rows plus rejects. All row
work is polars expressions over whole columns; Python only loops over header candidates and over
the adapter's declared columns and checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

import polars as pl

from citypulse import limits
from citypulse.adapters.base import CONTENT_SAMPLE_ROWS, NOT_DATA, Adapter, Context, RowRule, Sample
from citypulse.adapters.readers import ROW, Table, unwrap_single_field_records
from citypulse.lake import reasons
from citypulse.lake.schema import ENTITIES, REJECTS, conform
from citypulse.parsing import DATE_PARSERS, ParseContext, get_parser
from citypulse.parsing.dates import DateOrderError, OrderEvidence, decide_order, order_evidence
from citypulse.parsing.text import is_missing, normalise_header
from citypulse.platforms import PLATFORMS

REPEATED_HEADER = "repeated header row (not data)"
DESCRIPTION_ROW = "description row under the header (not data)"
_RECORD = "_record"


@dataclass
class Detection:
    """The outcome of matching one table against the adapters."""

    table: Table
    adapter: Adapter | None
    header_index: int | None = None  # 0-based row of the header in a positional table
    header: tuple[str, ...] = ()  # normalised names in file order
    closest: Adapter | None = None
    missing: list[str] = field(default_factory=list)  # signature columns the closest one missed
    # the closest adapter's header matched but its content did not: what it expects
    mismatch: str | None = None
    # the table was found inside single-field records (see readers.unwrap_single_field_records)
    unwrapped: bool = False

    @property
    def closest_text(self) -> str:
        if self.closest is None:
            return "no adapter reads this format"
        if self.mismatch is not None:
            return f"closest adapter {self.closest.name} matches the header, but expects {self.mismatch}"
        return f"closest adapter {self.closest.name} misses columns: {', '.join(self.missing)}"


def normalise_header_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`normalise_header` as an expression (for spotting header rows among data rows)."""
    return (
        expr.cast(pl.String)
        .str.replace_all(r"[\s\"'\ufeff\u200b]+", " ")
        .str.strip_chars()
        .str.to_lowercase()
    )


def _unique_names(cells: list[str | None]) -> tuple[str, ...]:
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, cell in enumerate(cells):
        name = normalise_header(cell) or f"_col_{i}"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}__{seen[name]}")
    return tuple(names)


def _rank(adapter: Adapter) -> tuple[int, int]:
    return (len(adapter.signature), adapter.priority)


def _outranks(refused: Adapter, best: Adapter) -> bool:
    """Whether an adapter whose header matched but whose content did not keeps the table from
    ``best``: it does when its signature is the longer one and ``best``'s is not part of it (a
    Business Suite export whose ``Date`` is neither ``Lifetime`` nor days is no YouTube ``Date,
    Views`` file); a variant of the same format (``best``'s signature within it) still wins."""
    return _rank(refused) > _rank(best) and not set(best.normalised_signature) <= set(
        refused.normalised_signature
    )


def _sample(table: Table, index: int) -> Sample:
    """The first data rows under a header at ``index`` (named by normalised header) and the
    preamble above it: what an adapter's :class:`ContentMatch` judges."""
    frame = table.frame.drop(ROW)
    if not table.positional:
        rows = frame.head(CONTENT_SAMPLE_ROWS)
        return Sample(rows.rename({c: normalise_header(c) for c in rows.columns}))
    cells = list(frame.row(index))
    while cells and (cells[-1] is None or not str(cells[-1]).strip()):
        cells.pop()
    names = _unique_names(cells)
    rows = frame.slice(index + 1, CONTENT_SAMPLE_ROWS).select(frame.columns[: len(names)])
    above = frame.head(index).rows()
    return Sample(
        rows.rename(dict(zip(rows.columns, names, strict=False))),
        tuple(str(c).strip() for row in above for c in row if c is not None and str(c).strip()),
    )


def detect(table: Table, adapters: list[Adapter], fmt: str) -> Detection:
    """The best adapter for a table: every signature column present (and the adapter's
    ``content`` test passing); longest signature wins. A table of single-field records is tried
    again unwrapped (:func:`~citypulse.adapters.readers.unwrap_single_field_records`)."""
    detection = _detect(table, adapters, fmt)
    if detection.adapter is not None:
        return detection
    inner = unwrap_single_field_records(table)
    if inner is None:
        return detection
    unwrapped = _detect(inner, adapters, fmt)
    unwrapped.unwrapped = True
    return unwrapped if unwrapped.adapter is not None else detection


def _detect(table: Table, adapters: list[Adapter], fmt: str) -> Detection:
    candidates = [a for a in adapters if fmt in a.formats]
    if table.positional:
        depth = max((a.header_search_rows for a in candidates), default=0)
        head = table.frame.drop(ROW).head(depth).rows()
        rows = [(i, [normalise_header(v) for v in row if v is not None]) for i, row in enumerate(head)]
    else:
        rows = [(0, [normalise_header(c) for c in table.frame.columns if c != ROW])]
    best: tuple[Adapter, int] | None = None
    closest: tuple[float, tuple[int, int], Adapter, list[str]] | None = None
    refused: list[Adapter] = []  # header matched, content did not
    for adapter in candidates:
        for i, names in rows:
            if i >= adapter.header_search_rows:
                break
            present = set(names)
            missing = adapter.missing_from(present)
            if not missing:
                content = adapter.content
                if content is None or content.test(_sample(table, i)):
                    if best is None or _rank(adapter) > _rank(best[0]):
                        best = (adapter, i)
                else:
                    refused.append(adapter)
                break
            score = 1 - len(missing) / len(adapter.signature)
            if score > 0 and (closest is None or (score, _rank(adapter)) > (closest[0], closest[1])):
                closest = (score, _rank(adapter), adapter, missing)
    if best is not None and any(_outranks(r, best[0]) for r in refused):
        best = None  # the table is a format whose content is not recognised: not another format's
    if best is None:
        if refused:
            refused.sort(key=_rank, reverse=True)
            first, *others = refused
            mismatch = "; ".join(
                [first.content.expects if first.content else ""]
                + [f"{r.name} expects {r.content.expects if r.content else ''}" for r in others]
            )
            return Detection(table, None, closest=first, mismatch=mismatch)
        if closest is None:
            return Detection(table, None)
        return Detection(table, None, closest=closest[2], missing=closest[3])
    adapter, index = best
    if table.positional:
        cells = list(table.frame.drop(ROW).row(index))
        while cells and (cells[-1] is None or not str(cells[-1]).strip()):
            cells.pop()  # cells right of the last header name hold ragged overflow: _extra_N
        header = _unique_names(cells)
    else:
        header = tuple(normalise_header(c) for c in table.frame.columns if c != ROW)
    return Detection(table, adapter, index, header)


def preamble(detection: Detection) -> tuple[str, ...]:
    """Non-empty cells of the rows above the header (titles, ``sep=,``), stripped, in file order."""
    if not detection.table.positional or not detection.header_index:
        return ()
    above = detection.table.frame.drop(ROW).head(detection.header_index).rows()
    return tuple(str(cell).strip() for row in above for cell in row if cell is not None and str(cell).strip())


def named_frame(detection: Detection, rows: pl.DataFrame | None = None) -> pl.DataFrame:
    """The table's data rows with columns named by normalised header (``_extra_N`` beyond it).

    ``rows``: one row batch of a table landed in batches (positional, the table's columns); the
    rows of the header and above it are dropped by record number.
    """
    frame = detection.table.frame if rows is None else rows
    if not detection.table.positional:
        return frame.rename({c: normalise_header(c) for c in frame.columns if c != ROW})
    assert detection.header_index is not None and detection.adapter is not None
    first_row = 1 if rows is None or not rows.height else rows.item(0, ROW)
    # record numbers are 1-based, consecutive, and count every record, the header's too
    data = frame.slice(max(0, detection.header_index + 2 - first_row))
    cells = [c for c in frame.columns if c != ROW]
    width = len(detection.header)
    renames = {
        c: (detection.header[i] if i < width else f"_extra_{i - width + 1}") for i, c in enumerate(cells)
    }
    data = data.rename(renames)
    # trailing header names may be empty-named columns that no row fills: keep them anyway
    return data


def observed_at_from_content(
    detection: Detection, timezone: str, rows: pl.DataFrame | None = None
) -> datetime | None:
    """The latest value of the adapter's ``observed_at_column`` (e.g. MediaCrawler last_modify_ts),
    in the table or in one row batch of it (``rows``, see :func:`named_frame`)."""
    adapter = detection.adapter
    if adapter is None or adapter.observed_at_column is None:
        return None
    name = normalise_header(adapter.observed_at_column)
    frame = named_frame(detection, rows)
    if name not in frame.columns:
        return None
    parser = get_parser(adapter.observed_at_parser)
    value = frame.select(parser(pl.col(name), ParseContext(timezone)).max()).item()
    return value if isinstance(value, datetime) else None


@dataclass
class Outcome:
    """What one table contributes: canonical rows, refused rows, and how many data rows it had."""

    adapter: Adapter
    landed: pl.DataFrame
    rejects: pl.DataFrame
    rows_in: int
    keys: pl.DataFrame | None = None  # a row batch's windowed-rule keys (see :func:`refused_rows`)
    # per date source column: what its values say about the day/month order (None when the
    # order came decided in the file's facts), and the order its values were parsed in
    date_evidence: dict[str, OrderEvidence] | None = None
    date_orders: dict[str, str] = field(default_factory=dict)

    @property
    def rows_landed(self) -> int:
        """Source rows with at least one lake row (an unpivoting adapter lands several per row)."""
        return self.landed.select(pl.col("source_row").n_unique()).item() if self.landed.height else 0

    @property
    def rows_rejected(self) -> int:
        """Source rows refused whole: a row that landed some cells and had others refused counts
        as landed (its refused cells are in the rejects), so ``rows_in = landed + rejected``."""
        return refused_only(self.rejects, self.landed)


def refused_only(rejects: pl.DataFrame, landed: pl.DataFrame) -> int:
    """How many source rows of ``rejects`` landed nothing in ``landed``."""
    if not rejects.height:
        return 0
    rows = rejects.select("source_row").unique()
    if landed.height:
        rows = rows.join(landed.select("source_row").unique(), on="source_row", how="anti")
    return rows.height


@dataclass(frozen=True)
class FileFacts:
    """What the rules of a table landed in row batches need from the whole file: the first data
    row (for ``skip_after_header``) and, per windowed rule (``RowRule.keys``, by position in
    ``adapter.rules``), the rows it refuses (see :func:`refused_rows`); and the day/month order
    of each date source column (see :func:`decide_date_orders`; None: not decided yet)."""

    first_data_row: int | None
    refused_by_rule: dict[int, pl.Series]
    date_orders: Mapping[str, str] | None = None

    @property
    def refused(self) -> pl.Series:
        """Every row some windowed rule refuses."""
        return pl.concat([pl.Series(ROW, [], pl.Int64), *self.refused_by_rule.values()])


def _windowed(adapter: Adapter) -> dict[int, RowRule]:
    return {i: rule for i, rule in enumerate(adapter.rules) if rule.keys}


@dataclass
class _Check:
    """A refusal. ``condition`` runs on every row; ``value`` and ``reason`` only on the refused rows
    (after ``finish``), so they may use any column of the typed frame, ``_val<i>`` included."""

    column: str  # source column name shown to people
    condition: pl.Expr  # true = refuse
    value: pl.Expr  # the offending raw value
    reason: pl.Expr
    code: str  # citypulse.lake.reasons: the stable category beside the reason text


def _fmt_reason(adapter: Adapter, column: str, message: str, value: pl.Expr | None = None) -> pl.Expr:
    prefix = f"{adapter.name}: row "
    if value is None:
        return pl.format(
            prefix + "{}, column " + column.replace("{", "(").replace("}", ")") + ": " + message, pl.col(ROW)
        )
    safe_column = column.replace("{", "(").replace("}", ")")
    return pl.format(
        prefix + "{}, column " + safe_column + ": '{}' " + message, pl.col(ROW), value.fill_null("")
    )


def _data_rows(detection: Detection, rows: pl.DataFrame | None) -> pl.DataFrame:
    """The named frame without fully empty lines (blank lines, trailing spreadsheet rows): they
    carry nothing and are not data rows."""
    frame = named_frame(detection, rows)
    raw_columns = [c for c in frame.columns if c != ROW]
    if not raw_columns:
        return frame
    # most rows have their first cell filled: only the others are checked cell by cell
    first_filled = frame.select(~is_missing(pl.col(raw_columns[0]))).to_series()
    if first_filled.all():
        return frame
    others = frame.filter(~first_filled)
    filled_later = others.filter(
        pl.any_horizontal([~is_missing(pl.col(c)) for c in raw_columns[1:]] or [False])
    )
    return frame.filter(first_filled | pl.col(ROW).is_in(filled_later[ROW].implode()))


def _repeated_header_rows(frame: pl.DataFrame, signature: list[str]) -> pl.Series:
    """Record numbers of the rows that repeat the header (each signature cell normalises to its
    name), checked one column at a time on the rows still in question, shortest cells first:
    normalising every post body of an export only to compare it with a header name cost more than
    the rest of the check."""
    sizes = frame.select(pl.col(s).cast(pl.String).str.len_bytes().sum() for s in signature).row(0)
    rows = frame.select(ROW, *signature)
    for _, name in sorted(zip((size or 0 for size in sizes), signature, strict=True)):
        rows = rows.filter(normalise_header_expr(pl.col(name)) == name)
        if rows.is_empty():
            break
    return rows.get_column(ROW)


def first_data_row(detection: Detection, batches: Iterable[pl.DataFrame]) -> int | None:
    """The record number of a table's first data row, from the first row batches that hold one."""
    for batch in batches:
        frame = _data_rows(detection, batch)
        if frame.height:
            return frame.item(0, ROW)
    return None


def provisional_facts(detection: Detection, first_row: int | None) -> FileFacts:
    """Facts for a first pass over the row batches: windowed rules refuse nothing yet; each
    batch's outcome carries its keys, and :func:`refused_rows` decides over all of them."""
    assert detection.adapter is not None
    return FileFacts(first_row, {i: pl.Series(ROW, [], pl.Int64) for i in _windowed(detection.adapter)})


def refused_rows(adapter: Adapter, keys: list[pl.DataFrame]) -> dict[int, pl.Series]:
    """Per windowed rule, the rows it refuses in the whole file, from every batch's keys (the
    typed key columns of every data row, in file order: the rule's window sees them all)."""
    windowed = _windowed(adapter)
    every_key = pl.concat(keys) if keys else pl.DataFrame(schema={ROW: pl.Int64})
    return {i: every_key.filter(rule.when().fill_null(False))[ROW] for i, rule in windowed.items()}


def _date_sources(adapter: Adapter, present: Iterable[str]) -> dict[str, str]:
    """The source columns read by a date/datetime parser, normalised name → header as declared."""
    names = set(present)
    return {
        normalise_header(s): s
        for column in adapter.columns
        if column.parser in DATE_PARSERS
        for s in column.sources
        if normalise_header(s) in names
    }


def _date_orders(
    frame: pl.DataFrame, adapter: Adapter, ctx: Context, facts: FileFacts | None
) -> tuple[dict[str, str], dict[str, OrderEvidence] | None]:
    """The day/month order of each date source column, and the evidence it was decided on.

    A whole table decides from all of its values (raising :class:`DateOrderError` when they
    cannot and nothing is declared). A row batch takes the file's decision from ``facts``; before
    it is known, the batch decides from its own values (a batch they leave undecided parses its
    day/month-first values as unreadable) and the runner lands again every batch whose order
    differs from the file's (:func:`decide_date_orders`).
    """
    if facts is not None and facts.date_orders is not None:
        return dict(facts.date_orders), None
    lf = frame.lazy()
    if adapter.prepare is not None:  # the values as they are parsed: a hook may rewrite dates
        lf = adapter.prepare(lf, ctx)
    sources = _date_sources(adapter, lf.collect_schema().names())
    evidence = order_evidence(lf, list(sources))
    declared = ctx.date_order or adapter.date_order
    orders: dict[str, str] = {}
    for source, header in sources.items():
        try:
            orders[source] = decide_order(evidence[source], declared, header)
        except DateOrderError:
            if facts is None:
                raise
            orders[source] = "YMD"
    return orders, evidence


def decide_date_orders(
    adapter: Adapter, ctx: Context, evidence: list[dict[str, OrderEvidence]]
) -> dict[str, str]:
    """The whole file's day/month order per date source column, from every row batch's evidence
    (in file order); raises :class:`DateOrderError` as landing the file whole would."""
    merged: dict[str, OrderEvidence] = {}
    for part in evidence:
        for source, found in part.items():
            merged[source] = merged[source].then(found) if source in merged else found
    headers = _date_sources(adapter, merged)
    declared = ctx.date_order or adapter.date_order
    return {source: decide_order(merged[source], declared, headers[source]) for source in merged}


def apply(
    detection: Detection,
    ctx: Context,
    ingest_id: str,
    rows: pl.DataFrame | None = None,
    facts: FileFacts | None = None,
) -> Outcome:
    """Map one detected table to its entity: typed rows that pass every rule, and rejects.

    ``rows`` and ``facts``: land one row batch of the table (see :func:`named_frame`), with the
    whole file's facts; the batches' outcomes together equal the whole table's. The outcome then
    carries the batch's windowed-rule keys, from which :func:`refused_rows` finds those facts,
    and its date evidence, from which :func:`decide_date_orders` does.

    Raises :class:`~citypulse.parsing.dates.DateOrderError` when a whole table's day/month order
    is undecidable or contradictory: the file is refused, never guessed.
    """
    adapter = detection.adapter
    assert adapter is not None
    frame = _data_rows(detection, rows)
    orders, evidence = _date_orders(frame, adapter, ctx, facts)
    lf, every, raw_columns = _plan(frame, detection, ctx, facts, orders)
    data = lf.collect(engine="in-memory")
    landed, rejects = _split(data, adapter, every, raw_columns, ingest_id)
    key_columns = sorted({k for rule in _windowed(adapter).values() for k in rule.keys})
    keys = data.select(ROW, *key_columns) if facts is not None and key_columns else None
    return Outcome(adapter, landed, rejects, frame.height, keys, evidence, orders)


def _plan(
    frame: pl.DataFrame,
    detection: Detection,
    ctx: Context,
    facts: FileFacts | None,
    date_orders: Mapping[str, str] | None = None,
) -> tuple[pl.LazyFrame, list[_Check], list[str]]:
    """The typed frame of ``frame``'s rows, with ``_nondata``, one ``_chk<i>`` per refusal and
    ``_refused``; also the refusals and the raw columns. ``date_orders``: the day/month order of
    each date source column (see :func:`_date_orders`)."""
    adapter = detection.adapter
    assert adapter is not None
    lf = frame.lazy()
    if adapter.prepare is not None:
        lf = adapter.prepare(lf, ctx)
    raw_columns = [c for c in lf.collect_schema().names() if c not in (ROW, NOT_DATA)]
    present = set(raw_columns)
    nondata_reason, nondata_code = _nondata_labels(frame, lf, detection, facts, present)
    parsed = _parsed_sources(adapter, ctx, present, date_orders)
    lf = lf.with_columns(parsed.columns).select(
        pl.col(ROW),
        *_entity_columns(adapter, ctx, parsed.typed),
        nondata_reason.alias("_nondata"),
        nondata_code.alias("_nondata_code"),
        *[pl.col(c).alias(f"src:{c}") for c in raw_columns],
        *[c.condition.fill_null(False).alias(f"_chk{i}") for i, c in enumerate(parsed.checks)],
        *parsed.raw_values,
    )
    if adapter.finish is not None:
        lf = adapter.finish(lf, ctx)
    if "account_id" in ENTITIES[adapter.entity] and ctx.account_folder:
        lf = lf.with_columns(account_id=pl.coalesce(pl.col("account_id"), pl.lit(ctx.account_folder)))
    rules = _row_rules(adapter, set(lf.collect_schema().names()), present, facts)
    offset = len(parsed.checks)
    lf = lf.with_columns(
        *[r.condition.fill_null(False).alias(f"_chk{offset + i}") for i, r in enumerate(rules)],
    )
    every = parsed.checks + rules
    lf = lf.with_columns(
        (
            pl.col("_nondata").is_null()
            & pl.any_horizontal([pl.col(f"_chk{i}") for i in range(len(every))] or [pl.lit(False)])
        ).alias("_refused")
    )
    return lf, every, raw_columns


def _nondata_labels(
    frame: pl.DataFrame, lf: pl.LazyFrame, detection: Detection, facts: FileFacts | None, present: set[str]
) -> tuple[pl.Expr, pl.Expr]:
    """The reason and reason code of each row that is not data at all (null for a data row): a
    repeated header, a description row, a row an adapter's filter or ``prepare`` hook names."""
    adapter = detection.adapter
    assert adapter is not None
    nondata: list[tuple[pl.Expr, str, str]] = []
    signature = [s for s in adapter.normalised_signature if s in present]
    if signature:
        # the cells as the rules see them: after ``prepare`` (which may move cells between columns)
        cells = frame if adapter.prepare is None else lf.select(ROW, *signature).collect()
        repeats = _repeated_header_rows(cells, signature)
        nondata.append((pl.col(ROW).is_in(repeats.implode()), REPEATED_HEADER, reasons.HEADER_ROW))
    if detection.table.positional and adapter.skip_after_header:
        first = facts.first_data_row if facts is not None else frame.select(pl.col(ROW).min()).item()
        if first is not None:
            nondata.append(
                (pl.col(ROW) < first + adapter.skip_after_header, DESCRIPTION_ROW, reasons.DESCRIPTION_ROW)
            )
    for rf in adapter.row_filters:
        name = normalise_header(rf.column)
        if name in present:
            values = [normalise_header(v) for v in rf.values]
            nondata.append((normalise_header_expr(pl.col(name)).is_in(values), rf.reason, rf.code))
    hook_said = NOT_DATA in lf.collect_schema().names()
    reason = pl.col(NOT_DATA).cast(pl.String) if hook_said else pl.lit(None, dtype=pl.String)
    code = pl.lit(reasons.NOT_DATA_ROW) if hook_said else pl.lit(None, dtype=pl.String)
    # the first condition that holds names the row
    for cond, why, code_of in reversed(nondata):
        reason = pl.when(cond.fill_null(False)).then(pl.lit(why)).otherwise(reason)
        code = pl.when(cond.fill_null(False)).then(pl.lit(code_of)).otherwise(code)
    return reason, code


@dataclass
class _Parsed:
    """The adapter's declared columns parsed from the file's sources."""

    columns: list[pl.Expr]  # one ``_parsed<k>`` column per source
    typed: dict[str, pl.Expr]  # target column → its value, from the parsed columns
    raw_values: list[pl.Expr]  # ``_val<i>``: the raw text a check shows
    checks: list[_Check]  # "unreadable" refusals, one per non-text source


def _parsed_sources(
    adapter: Adapter, ctx: Context, present: set[str], date_orders: Mapping[str, str] | None
) -> _Parsed:
    """Each source is parsed once into a column of its own: the typed value and the "unreadable"
    check both read that column (as expressions, polars would parse the text twice)."""
    pctx = ParseContext(ctx.timezone, ctx.observed_at_expr())
    parsed = _Parsed([], {}, [], [])
    for column in adapter.columns:
        parser = get_parser(column.parser)
        sources = [normalise_header(s) for s in column.sources if normalise_header(s) in present]
        if not sources:
            continue
        names = [f"_parsed{len(parsed.columns) + k}" for k in range(len(sources))]
        parsed.columns += [
            parser(pl.col(s), replace(pctx, date_order=(date_orders or {}).get(s))).alias(n)
            for s, n in zip(sources, names, strict=True)
        ]
        parsed.typed[column.target] = (
            pl.coalesce([pl.col(n) for n in names]) if len(names) > 1 else pl.col(names[0])
        )
        if column.parser == "text":
            continue
        for source, name in zip(sources, names, strict=True):
            value = f"_val{len(parsed.checks)}"
            parsed.raw_values.append(pl.col(source).alias(value))
            parsed.checks.append(
                _Check(
                    source,
                    ~is_missing(pl.col(source)) & pl.col(name).is_null(),
                    pl.col(value),
                    _fmt_reason(adapter, source, f"is not {parser.expects}", pl.col(value)),
                    reasons.unparseable(column.parser),
                )
            )
    return parsed


def _entity_columns(adapter: Adapter, ctx: Context, typed: Mapping[str, pl.Expr]) -> list[pl.Expr]:
    """The entity's columns, typed: parsed from the file, else the adapter's constants and the
    context's; the account and observation time from the file win over the context's."""
    defaults: dict[str, pl.Expr] = {
        "platform": pl.lit(adapter.platform),
        "account_id": pl.lit(ctx.account_id, dtype=pl.String),
        "account_name": pl.lit(ctx.account_name, dtype=pl.String),
        "observed_at": ctx.observed_at_expr(),
    }
    for name, value in adapter.constants.items():
        defaults[name] = pl.lit(value)
    exprs = []
    for name, dtype in ENTITIES[adapter.entity].items():
        if name in typed and name in defaults and name in ("account_id", "account_name", "observed_at"):
            exprs.append(pl.coalesce(typed[name], defaults[name]).cast(dtype).alias(name))
        elif name in typed:
            exprs.append(typed[name].cast(dtype).alias(name))
        elif name in defaults:
            exprs.append(defaults[name].cast(dtype).alias(name))
    return exprs


def _row_rules(
    adapter: Adapter, columns: set[str], present: set[str], facts: FileFacts | None
) -> list[_Check]:
    """The refusals judged on the typed frame (``columns``: its columns), in the order their
    rejects are listed."""
    schema = ENTITIES[adapter.entity]
    source_of = {
        c.target: next((normalise_header(s) for s in c.sources if normalise_header(s) in present), c.target)
        for c in adapter.columns
    }
    negative = "is negative; counts cannot be"
    rules = [
        *_required_checks(adapter, columns, source_of),
        *(
            _value_check(adapter, source_of, n, pl.col(n) < 0, negative, reasons.NEGATIVE_COUNT)
            for n, dtype in schema.items()
            if dtype == pl.Int64 and n in columns and n not in adapter.signed
        ),
        *_plausibility_checks(adapter, schema, columns, source_of),
    ]
    if "published_at" in columns and "observed_at" in columns:
        rules.append(_published_after_observed(adapter, source_of.get("published_at", "published_at")))
    if adapter.platform not in PLATFORMS:
        known = ", ".join(PLATFORMS)
        rules.append(
            _Check(
                "platform",
                pl.lit(True),
                pl.lit(adapter.platform),
                pl.lit(f"{adapter.name}: unknown platform {adapter.platform!r}; known: {known}"),
                reasons.UNKNOWN_PLATFORM,
            )
        )
    return rules + _declared_rules(adapter, facts)


def _value_check(
    adapter: Adapter, source_of: Mapping[str, str], name: str, condition: pl.Expr, message: str, code: str
) -> _Check:
    """A refusal of the typed value of ``name``, shown as text under its source column's name."""
    label = source_of.get(name, name)
    value = pl.col(name).cast(pl.String)
    return _Check(label, condition, value, _fmt_reason(adapter, label, message, value), code)


def _required_checks(adapter: Adapter, columns: set[str], source_of: Mapping[str, str]) -> list[_Check]:
    """A required value that is missing; a required column the typed frame lacks refuses every row."""
    checks = []
    for name in adapter.required_columns:
        label = source_of.get(name, name) if name in columns else name
        checks.append(
            _Check(
                label,
                pl.col(name).is_null() if name in columns else pl.lit(True),
                pl.lit(None, pl.String),
                _fmt_reason(adapter, label, f"required value ({name}) is missing"),
                reasons.REQUIRED_MISSING,
            )
        )
    return checks


def _published_after_observed(adapter: Adapter, label: str) -> _Check:
    """A post published more than a day after the observation time of the export that lists it."""
    return _Check(
        label,
        pl.col("published_at") > pl.col("observed_at") + pl.duration(days=1),
        pl.col("published_at").cast(pl.String),
        pl.format(
            f"{adapter.name}: row {{}}, column {label}: published at {{}} UTC, more than a day "
            "after the observation time {} UTC",
            pl.col(ROW),
            pl.col("published_at"),
            pl.col("observed_at"),
        ),
        reasons.PUBLISHED_AFTER_OBSERVED,
    )


def _declared_rules(adapter: Adapter, facts: FileFacts | None) -> list[_Check]:
    """The adapter's own row rules; in a row batch, a windowed rule refuses the rows its window
    found over the whole file (``facts``)."""
    refused_by_rule = facts.refused_by_rule if facts is not None else {}
    checks = []
    for i, rule in enumerate(adapter.rules):
        rule_value = rule.value().cast(pl.String) if rule.value is not None else None
        checks.append(
            _Check(
                rule.column,
                pl.col(ROW).is_in(refused_by_rule[i].implode()) if i in refused_by_rule else rule.when(),
                pl.lit(None, pl.String) if rule_value is None else rule_value,
                _fmt_reason(adapter, rule.column, rule.reason, rule_value),
                rule.code,
            )
        )
    return checks


def _plausibility_checks(
    adapter: Adapter, schema: Mapping[str, pl.DataType], columns: set[str], source_of: Mapping[str, str]
) -> list[_Check]:
    """Values no real export holds, refused per cell: counts beyond the configured ceiling (a
    signed change too, by its size), dates outside the plausible window (citypulse.limits)."""
    bounds = limits.current()
    earliest, latest = bounds.earliest(), bounds.latest()
    checks: list[_Check] = []
    for name, dtype in schema.items():
        if name not in columns:
            continue
        if dtype == pl.Int64:
            too_large = pl.col(name).abs() > bounds.count_ceiling
            why = f"is beyond the plausible count ceiling {bounds.count_ceiling:,}"
            checks.append(_value_check(adapter, source_of, name, too_large, why, reasons.COUNT_TOO_LARGE))
        elif isinstance(dtype, (pl.Date, pl.Datetime)):
            low = pl.lit(earliest.date() if isinstance(dtype, pl.Date) else earliest, dtype=dtype)
            high = pl.lit(latest.date() if isinstance(dtype, pl.Date) else latest, dtype=dtype)
            outside = (pl.col(name) < low) | (pl.col(name) > high)
            why = f"is outside the plausible window {earliest:%Y-%m-%d} .. now + {bounds.days_ahead} day(s)"
            checks.append(_value_check(adapter, source_of, name, outside, why, reasons.DATE_OUT_OF_RANGE))
    return checks


def _split(
    data: pl.DataFrame, adapter: Adapter, every: list[_Check], raw_columns: list[str], ingest_id: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Landed canonical rows, and one reject row per refusal (or per non-data row)."""
    lineage = {"ingest_id": pl.lit(ingest_id), "source_row": pl.col(ROW)}
    # lazily: only the entity's columns are filtered, not the raw ones carried for the rejects
    landed_rows = data.lazy().filter(pl.col("_nondata").is_null() & ~pl.col("_refused"))
    landed = conform(landed_rows.with_columns(**lineage), adapter.entity).collect()

    # the raw record (and each refusal's value and reason) only for the rows that need one
    record = pl.struct([pl.col(f"src:{c}").alias(c) for c in raw_columns]).struct.json_encode()
    # rechunk: polars 2.1 panics in pl.format over columns of a filtered frame whose chunks differ
    not_landed = (
        data.filter(pl.col("_nondata").is_not_null() | pl.col("_refused"))
        .with_columns(record.alias(_RECORD))
        .rechunk()
    )
    parts = [
        not_landed.filter(pl.col("_nondata").is_not_null()).select(
            source_row=pl.col(ROW),
            column=pl.lit(None, pl.String),
            value=pl.lit(None, pl.String),
            reason=pl.format(f"{adapter.name}: row {{}}: {{}}", pl.col(ROW), pl.col("_nondata")),
            reason_code=pl.col("_nondata_code"),
            record=pl.col(_RECORD),
        )
    ]
    refused = not_landed.filter(pl.col("_refused"))
    for i, check in enumerate(every):
        parts.append(
            refused.filter(pl.col(f"_chk{i}")).select(
                source_row=pl.col(ROW),
                column=pl.lit(check.column),
                value=check.value.cast(pl.String),
                reason=check.reason,
                reason_code=pl.lit(check.code, pl.String),
                record=pl.col(_RECORD),
            )
        )
    rejects = (
        pl.concat(parts)
        .with_columns(ingest_id=pl.lit(ingest_id))
        .select([pl.col(c).cast(t) for c, t in REJECTS.items()])
        .sort("source_row", maintain_order=True)
    )
    return landed, rejects
