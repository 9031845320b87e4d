"""Bytes → tables of strings. Every value is read as text; typing is the parsers' job.

A file yields one or more :class:`Table` s: a CSV one, an xlsx workbook one per sheet, a JSON
document one per list of records found in it. CSV and xlsx tables are *positional* (columns
``c0, c1, …``; the header row is found later by signature, since it is not always row 1); JSON
tables are *named* (keys, nested objects flattened as ``parent.child``). Zip archives are not
read here: the landing runner lands each member as its own logical file.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fastexcel
import polars as pl

from citypulse import limits
from citypulse.errors import CityPulseError
from citypulse.parsing.decoding import decode, to_utf8

ROW = "_source_row"
_NON_SPACE = re.compile(rb"\S")
_PIECE = 32 << 20  # bytes of whole lines (records) read at a time
_HEAD = 20000  # bytes that decide the separator
_HEAD_ROWS = 100  # records that hold the header (adapters search the first 30 or so)
_MAX_NEWLINES_TRIED = 10000  # from the end of a piece, looking for one outside quotes
_MAX_JSON_DEPTH = 4


class UnreadableFile(CityPulseError):
    """The bytes are not a CSV, xlsx or JSON file we can read."""


@dataclass(frozen=True)
class Table:
    label: str  # "" for CSV/JSONL, the sheet name, or the JSON path of the records
    frame: pl.DataFrame  # all-String columns plus ROW (1-based record number in the source)
    positional: bool  # True: header row still to be found among the rows
    nul_bytes: int = 0  # NUL characters removed from the cells (never content; they break consumers)


def without_nul(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The frame with NUL characters removed from its text cells, and how many there were."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    if not text:
        return frame, 0
    count = frame.select(pl.sum_horizontal(pl.col(text).str.count_matches("\x00", literal=True).sum())).item()
    if not count:
        return frame, 0
    return frame.with_columns(pl.col(text).str.replace_all("\x00", "", literal=True)), int(count)


def sniff_format(data: bytes) -> str:
    """``zip``, ``xlsx``, ``xls``, ``json``, ``jsonl`` or ``csv`` — from the bytes, not the name."""
    if data.startswith(b"PK\x03\x04"):
        return "xlsx" if b"[Content_Types].xml" in data[:4096] or b"xl/" in data[:4096] else "zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        first_line = head.split(b"\n", 1)[0].strip()
        if head[:1] == b"{" and first_line.endswith(b"}") and b"\n{" in data[:1_000_000].replace(b"\r", b""):
            return "jsonl"
        return "json"
    return "csv"


def read_tables(data: bytes) -> tuple[list[Table], str | None, str]:
    """All tables of one (non-zip) file, the text encoding (None for binary formats), the format."""
    tables, encoding, fmt = _read_tables(data)
    cleaned = []
    for table in tables:
        frame, nul = without_nul(table.frame)
        cleaned.append(Table(table.label, frame, table.positional, nul))
    return cleaned, encoding, fmt


def _read_tables(data: bytes) -> tuple[list[Table], str | None, str]:
    fmt = sniff_format(data)
    if fmt in ("xlsx", "xls"):
        return _read_workbook(data), None, "xlsx"
    if fmt == "csv":
        # CSV goes to polars as UTF-8 bytes: no Python string of the whole file is ever built
        utf8, encoding = to_utf8(data)
        return split_sections(_read_csv(utf8)), encoding, "csv"
    text, encoding = decode(data)
    if fmt == "json":
        return _read_json(text), encoding, "json"
    return [_read_jsonl(text)], encoding, "jsonl"


def _separator(utf8: bytes) -> str:
    head = utf8[:_HEAD].decode("utf-8-sig", errors="ignore")  # a cut last character does not matter
    first = head.lstrip()[:200].split("\n", 1)[0]
    if first.lower().startswith("sep=") and len(first.strip()) >= 5:
        return first.strip()[4]
    counts = {sep: head.count(sep) for sep in (",", "\t", ";")}
    # commas win unless another separator clearly dominates (tab-separated exports)
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 2 * counts[","] else ","


def _line_pieces(utf8: bytes) -> Iterator[bytes]:
    """``utf8`` in pieces of whole lines, about ``_PIECE`` bytes each."""
    start = 0
    while start < len(utf8):
        end = utf8.find(b"\n", start + _PIECE)
        end = len(utf8) if end < 0 else end + 1
        yield utf8[start:end]
        start = end


def _widest_line(pieces: Iterable[bytes], sep: str) -> int:
    """Separators on the line with most of them: an upper bound for the widest record (separators
    inside quotes only over-count; extra columns stay empty and are dropped). Counted piece by
    piece, so a big file is never held twice."""
    widest = 0
    bounds = limits.current()
    for piece in pieces:
        # every line as one cell: split on a byte the piece does not contain, quotes ignored
        split_on = next(
            (chr(b) for b in range(1, 32) if bytes([b]) not in piece and chr(b) not in "\r\n"), None
        )
        if split_on is None:  # every control byte occurs: count per line in Python (odd files only)
            lines_of = piece.decode("utf-8-sig").splitlines()
            most = max((line.count(sep) for line in lines_of), default=0)
            longest = max((len(line.encode()) for line in lines_of), default=0)
        else:
            lines = pl.read_csv(
                piece,
                has_header=False,
                separator=split_on,
                quote_char=None,
                schema={"line": pl.String},
                raise_if_empty=False,
            )
            most, longest = lines.select(
                pl.col("line").str.count_matches(sep, literal=True).max().alias("most"),
                pl.col("line").str.len_bytes().max().alias("longest"),
            ).row(0)
        bounds.check("record_bytes", longest or 0, "bytes in one line")
        widest = max(widest, most if isinstance(most, int) else 0)
        bounds.check("columns", widest + 1, "cells in one record")
    return widest


def _read_positional(utf8: bytes, sep: str, width: int, *, grow: bool = False) -> pl.DataFrame:
    """Every record of ``utf8`` as columns ``c0…`` of text. ``width`` columns, cells beyond them
    dropped (callers pass a width no filled cell lies beyond); with ``grow``, at least ``width``
    and wider when some record has more cells, so no cell is ever cut off (a quoted cell may hold
    line breaks: no line count bounds a record's width)."""
    most: int | None = None
    while True:
        try:
            return pl.read_csv(
                utf8,
                has_header=False,
                separator=sep,
                schema={f"c{i}": pl.String for i in range(width)},
                truncate_ragged_lines=not grow,
                missing_columns="insert",
                raise_if_empty=False,
            )
        except pl.exceptions.PolarsError as exc:
            most = utf8.count(sep.encode()) + 1 if most is None else most
            if not grow or width >= most:
                raise UnreadableFile(f"not a readable CSV: {exc}") from None
            width = min(most, 2 * width)


def _read_csv(utf8: bytes) -> Table:
    if not _NON_SPACE.search(utf8) or (len(utf8) < 65536 and not utf8.decode("utf-8-sig").strip()):
        raise UnreadableFile("the file is empty")
    sep = _separator(utf8)
    frame = _read_positional(utf8, sep, _widest_line(_line_pieces(utf8), sep) + 1, grow=True)
    return Table("", _drop_empty_columns(frame).with_row_index(ROW, offset=1).cast({ROW: pl.Int64}), True)


def split_sections(table: Table) -> list[Table]:
    """A CSV of stacked sections as one table per section; any other table as it is.

    Some exports stack several tables in one file (Meta's Audience export: ``Age & gender``,
    ``Top towns/cities``, ``Top countries``, ``Follows``…), each introduced by a title row (one
    filled cell, the first) after a blank row. Each section becomes a table of its own, labelled
    with its title and keeping the title row (adapters see it as the preamble) and the file's
    record numbers, so each is detected and landed on its own. A file is split only when it has
    two blocks or more separated by blank rows and every block starts with such a title row: a
    single title above a header (``"Facebook follows"``) or a blank line inside ordinary data
    splits nothing.
    """
    cells = [c for c in table.frame.columns if c != ROW]
    if not table.positional or len(cells) < 2 or table.frame.height < 3:
        return [table]
    filled = [pl.col(c).str.strip_chars().fill_null("") != "" for c in cells]
    marks = table.frame.select(
        pl.sum_horizontal(filled).alias("filled"), filled[0].alias("first"), pl.col(cells[0]).alias("title")
    ).with_columns(((pl.col("filled") > 0) & (pl.col("filled").shift(1, fill_value=0) == 0)).alias("start"))
    starts = marks.filter(pl.col("start"))
    if starts.height < 2 or not starts.select(((pl.col("filled") == 1) & pl.col("first")).all()).item():
        return [table]
    section = marks.select(pl.col("start").cum_sum()).to_series()
    return [
        Table(str(title).strip(), table.frame.filter(section == k), True)
        for k, title in enumerate(starts["title"], start=1)
    ]


def unwrap_single_field_records(table: Table) -> Table | None:
    """The CSV table inside a table whose every record is one field holding a whole CSV line.

    A spreadsheet set to another list separator (``;``) that opens a comma-separated export sees
    one column, and saving writes each line back as a single quoted field with its own quotes
    doubled: ``"Video asset ID,""Page ID"",…"``. Read as CSV, every record is then one field that
    itself parses as a CSV record. The rule: every non-empty record is a single field, the
    fields read again as CSV hold several columns and give exactly one record per outer record
    (otherwise, e.g. a field whose quotes do not pair up, there is nothing to unwrap and None is
    returned). Each inner record keeps its outer record number,
    which is the line of the file. Detection uses the unwrapped table only when its header
    matches an adapter (see :func:`citypulse.adapters.engine.detect`), so a genuine one-column
    file is never reinterpreted.
    """
    if not table.positional or table.frame.width != 2:
        return None
    records = table.frame.filter(pl.col("c0").is_not_null())
    if records.height < 2:
        return None
    utf8 = "\n".join(records["c0"].to_list()).encode("utf-8") + b"\n"
    sep = _separator(utf8)
    try:
        inner = _read_positional(utf8, sep, _widest_line([utf8], sep) + 1, grow=True)
    except UnreadableFile:
        return None
    inner = _drop_empty_columns(inner)
    if inner.height != records.height or inner.width < 2:
        return None
    return Table(table.label, inner.select(records[ROW], *inner.columns), True)


def _last_record_end(buf: bytes) -> int | None:
    """Offset just after the last newline of ``buf`` outside quotes (an even number of quote
    characters before it; ``buf`` starts at a record boundary), or None."""
    quotes = buf.count(b'"')
    end = len(buf)
    for _ in range(_MAX_NEWLINES_TRIED):
        newline = buf.rfind(b"\n", 0, end)
        if newline < 0:
            return None
        if (quotes - buf.count(b'"', newline + 1)) % 2 == 0:
            return newline + 1
        end = newline
    return None


def _record_pieces(path: Path, size: int) -> Iterator[tuple[int, bytes]]:
    """The file in pieces of about ``size`` bytes that end at record boundaries (a quoted cell
    may hold newlines), each with its offset. A piece without such a boundary grows until one
    comes. Each piece is read from its offset: no buffer is ever joined to the last one's tail."""
    offset, want = 0, size
    with open(path, "rb") as fh:
        while True:
            fh.seek(offset)
            buf = fh.read(want)
            if not buf:
                return
            cut = len(buf) if len(buf) < want else _last_record_end(buf)
            if cut is None:  # a record longer than the piece
                limits.current().check("record_bytes", want, "bytes in one record, at least")
                want *= 2
                continue
            yield offset, buf if cut == len(buf) else buf[:cut]
            offset, want = offset + cut, size


@dataclass(frozen=True)
class Piece:
    """Whole records of a CSV file: where they are, and the record number of the first."""

    offset: int
    length: int
    first_row: int


@dataclass(frozen=True)
class Batch:
    """One piece's records as a positional frame (columns ``c0…``, numbered ``ROW`` as the whole
    table would be), as wide as its widest filled record (``filled`` columns)."""

    piece: Piece
    frame: pl.DataFrame
    filled: int


def _filled_width(frame: pl.DataFrame) -> int:
    """Columns up to the last one that some record fills."""
    filled = frame.select(pl.all().is_not_null().any()).row(0) if frame.width else ()
    return max((i for i, f in enumerate(filled) if f), default=0) + 1


@dataclass(frozen=True)
class CsvFile:
    """A CSV file read in row batches rather than whole (big files, see the landing runner).

    The table's width (its widest filled record) is known only after the last batch: each batch
    comes as wide as its own filled records, and :meth:`batch` reads one again at a given width."""

    path: Path  # UTF-8 (see citypulse.parsing.decoding.utf8_file)
    separator: str
    piece_bytes: int

    def batches(self) -> Iterator[Batch]:
        """Every batch in file order, each piece read and parsed once (never the whole file in
        memory); a record with more cells than the ones before widens the read, so none is cut."""
        first_row, width = 1, 0
        for offset, piece in _record_pieces(self.path, self.piece_bytes):
            if not width:  # a first guess, from the lines of the first piece; it grows when short
                width = _widest_line([piece], self.separator) + 1
            frame = _read_positional(piece, self.separator, width, grow=True)
            width = frame.width
            filled = _filled_width(frame)
            rows, _ = without_nul(frame.select(frame.columns[:filled]))
            rows = rows.with_row_index(ROW, offset=first_row)
            yield Batch(Piece(offset, len(piece), first_row), rows.cast({ROW: pl.Int64}), filled)
            first_row += frame.height

    def batch(self, piece: Piece, width: int) -> pl.DataFrame:
        """The records of ``piece`` again, ``width`` columns wide (no filled cell lies beyond)."""
        with open(self.path, "rb") as fh:
            fh.seek(piece.offset)
            frame, _ = without_nul(_read_positional(fh.read(piece.length), self.separator, width))
        return frame.with_row_index(ROW, offset=piece.first_row).cast({ROW: pl.Int64})

    def head(self) -> Table:
        """The first batch(es), at least ``_HEAD_ROWS`` records: where the header is found."""
        frames: list[pl.DataFrame] = []
        for batch in self.batches():
            frames.append(batch.frame)
            if sum(f.height for f in frames) >= _HEAD_ROWS:
                break
        return Table("", pl.concat(frames, how="diagonal"), True)


def open_csv(path: Path, piece_bytes: int = _PIECE) -> CsvFile:
    """A UTF-8 CSV file as :class:`CsvFile` (its separator from the head of the file)."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    if not _NON_SPACE.search(head):
        raise UnreadableFile("the file is empty")
    return CsvFile(path, _separator(head), piece_bytes)


def _drop_empty_columns(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(frame.columns[: _filled_width(frame)])


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})(\d+)"')


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _check_sheet_sizes(data: bytes) -> None:
    """Refuse a workbook whose sheets span more cells than allowed, before any reader allocates
    them: from each sheet's ``dimension``, and from the furthest cell it names (streamed)."""
    bounds = limits.current()
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # not an xlsx (an old .xls): the workbook reader decides
    for info in book.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        rows = cols = 0
        tail = b""
        with book.open(info) as fh:
            while chunk := fh.read(1 << 20):
                buf = tail + chunk
                for match in _DIMENSION.finditer(buf):
                    if match.group(3):
                        cols = max(cols, _column_number(match.group(3)))
                        rows = max(rows, int(match.group(4)))
                for match in _CELL_REF.finditer(buf):
                    cols = max(cols, _column_number(match.group(1)))
                    rows = max(rows, int(match.group(2)))
                bounds.check("sheet_cells", rows * cols, f"cells spanned by sheet {info.filename}")
                tail = buf[-256:]


def _read_workbook(data: bytes) -> list[Table]:
    _check_sheet_sizes(data)
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for corrupt files
        raise UnreadableFile(f"not a readable workbook: {exc}") from None
    tables = []
    for sheet in reader.sheet_names:
        frame = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
        if frame.height == 0:
            continue
        frame = frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})
        tables.append(Table(sheet, frame.with_row_index(ROW, offset=1).cast({ROW: pl.Int64}), True))
    return tables


def _stringify(frame: pl.DataFrame) -> pl.DataFrame:
    """Flatten nested structs into ``a.b`` columns and render every value as text."""
    while any(isinstance(dt, pl.Struct) for dt in frame.dtypes):
        exprs = []
        for name, dtype in frame.schema.items():
            if isinstance(dtype, pl.Struct):
                exprs += [pl.col(name).struct.field(f.name).alias(f"{name}.{f.name}") for f in dtype.fields]
            else:
                exprs.append(pl.col(name))
        frame = frame.select(exprs)
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List):
            inner = (
                pl.element().cast(pl.String)
                if not isinstance(dtype.inner, (pl.Struct, pl.List))
                else pl.element().struct.json_encode()
                if isinstance(dtype.inner, pl.Struct)
                else pl.element().cast(pl.String)
            )
            exprs.append(pl.col(name).list.eval(inner).list.join(",").alias(name))
        elif dtype == pl.Null:
            exprs.append(pl.col(name).cast(pl.String))
        else:
            exprs.append(pl.col(name).cast(pl.String))
    return frame.select(exprs)


def _records_tables(node: Any, path: str, depth: int, out: list[tuple[str, list[dict[str, Any]]]]) -> None:
    if depth > _MAX_JSON_DEPTH:
        return
    if isinstance(node, list) and node and all(isinstance(item, dict) for item in node):
        out.append((path, node))
    elif isinstance(node, dict):
        for key, value in node.items():
            _records_tables(value, f"{path}.{key}" if path else str(key), depth + 1, out)


def _has_empty_list(node: Any, depth: int) -> bool:
    if depth > _MAX_JSON_DEPTH:
        return False
    if isinstance(node, list):
        return not node
    return isinstance(node, dict) and any(_has_empty_list(v, depth + 1) for v in node.values())


def _json_depth_within(doc: Any, bound: int) -> None:
    """Refuse nesting deeper than ``bound`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > bound:
            raise limits.LimitExceeded("json_depth", bound, "arrays and objects nested deeper than allowed")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list)))


def _read_json(text: str) -> list[Table]:
    bound = limits.current().json_depth
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise limits.LimitExceeded(
            "json_depth", bound, "arrays and objects nested deeper than allowed"
        ) from None
    _json_depth_within(doc, bound)
    found: list[tuple[str, list[dict[str, Any]]]] = []
    _records_tables(doc, "", 0, found)
    if not found and _has_empty_list(doc, 0):
        return []  # an API response with no records (e.g. "items": []): nothing to land, nothing wrong
    if not found and isinstance(doc, dict):
        found.append(("", [doc]))
    tables = []
    for path, records in found:
        frame = _stringify(pl.json_normalize(records, infer_schema_length=None, separator="."))
        tables.append(Table(path, frame.with_row_index(ROW, offset=1).cast({ROW: pl.Int64}), False))
    return tables


def _line_numbers_of_records(text: str) -> pl.Series:
    """1-based line numbers of the non-blank lines: a JSONL record's ``source_row`` is its line in
    the file, even when blank lines (which the reader skips) come before it."""
    lines = pl.Series([text]).str.split("\n").explode()
    return ((lines.str.strip_chars().str.len_bytes() > 0).arg_true() + 1).cast(pl.Int64).alias(ROW)


def _read_jsonl(text: str) -> Table:
    try:
        frame = pl.read_ndjson(io.BytesIO(text.encode("utf-8")), infer_schema_length=None)
    except pl.exceptions.PolarsError as exc:
        raise UnreadableFile(f"not valid JSON lines: {exc}") from None
    rows = _line_numbers_of_records(text)
    if rows.len() != frame.height:  # cannot happen for valid JSON lines; numbering records is the fallback
        return Table("", _stringify(frame).with_row_index(ROW, offset=1).cast({ROW: pl.Int64}), False)
    return Table("", _stringify(frame).with_columns(rows), False)
