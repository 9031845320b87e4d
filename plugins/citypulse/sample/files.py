"""Byte-exact, reproducible file writers: CSV in any encoding, xlsx with text cells, zips, manifests.

Every writer fixes what would otherwise vary between runs (xlsx creation time, zip entry times,
line endings), so the same arguments always give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import polars as pl
import xlsxwriter
import yaml

FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
FIXED_XLSX_TIME = datetime(2026, 1, 1)
QuoteStyle = Literal["necessary", "always", "never", "non_numeric"]
CHUNK_ROWS = 200_000


def csv_text(
    frame: pl.DataFrame, *, quote: QuoteStyle = "necessary", newline: str = "\n", header: bool = True
) -> str:
    """A frame of string columns as CSV text (header = the frame's column names).

    With minimal quoting, empty strings are written as nothing at all (as Python's csv module and
    most exporters do), not as ``""``.
    """
    if quote == "necessary":
        frame = frame.with_columns(pl.col(pl.String).replace("", None))
    return frame.write_csv(None, quote_style=quote, line_terminator=newline, include_header=header)


def write_csv(
    path: Path,
    frame: pl.DataFrame,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    quote: QuoteStyle = "necessary",
    newline: str = "\n",
    preamble: str = "",
    trailing_newline: bool = True,
) -> int:
    """Write ``frame`` as CSV; returns the number of data rows.

    Large frames are written in chunks straight to the file so a million-row export never exists
    twice in memory as one string.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if encoding == "utf-8" and trailing_newline and frame.height > CHUNK_ROWS:
        with path.open("wb") as fh:
            fh.write((("\ufeff" if bom else "") + preamble).encode("utf-8"))
            for i, start in enumerate(range(0, frame.height, CHUNK_ROWS)):
                fh.write(
                    csv_text(
                        frame.slice(start, CHUNK_ROWS), quote=quote, newline=newline, header=i == 0
                    ).encode("utf-8")
                )
        return frame.height
    text = preamble + csv_text(frame, quote=quote, newline=newline)
    if not trailing_newline:
        text = text.rstrip("\r\n")
    data = text.encode(encoding)
    if bom:
        data = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe"}[encoding] + data
    path.write_bytes(data)
    return frame.height


def write_xlsx(
    path: Path, frame: pl.DataFrame, *, sheet: str = "Sheet1", title_rows: Sequence[str] = ()
) -> int:
    """Write string columns as an xlsx whose every cell is text (as the Douyin creator centre does).

    xlsx cells can only be written one row at a time; this is the one place the sample loops over
    rows, and it streams them (constant memory) for large files.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    big = frame.height > 20_000
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "constant_memory": big,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    wb.set_properties({"created": FIXED_XLSX_TIME, "author": "", "comments": ""})
    ws = wb.add_worksheet(sheet)
    for i, line in enumerate(title_rows):
        ws.write_string(i, 0, line)
    header_row = len(title_rows)
    ws.write_row(header_row, 0, frame.columns)
    for r, row in enumerate(frame.iter_rows(), start=header_row + 1):
        for c, value in enumerate(row):
            if value is not None:
                ws.write_string(r, c, value)
    wb.close()
    return frame.height


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip whose bytes depend only on the members (fixed entry times and attributes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name])
    return buf.getvalue()


def write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_manifest(
    folder: Path,
    *,
    observed_at: datetime,
    timezone: str,
    account_id: str | None = None,
    account_name: str | None = None,
    city_code: str | None = None,
    period: tuple[date, date] | None = None,
) -> Path:
    """The folder's ``_manifest.yaml`` (contract: design.md inbox convention).

    Account keys are left out for folders that hold many accounts (search crawls, topic lists);
    the platform is the top folder's name. Only the keys the landing engine accepts are written.
    ``period`` is the reporting period of an export that does not state its own (audience tables).
    """
    doc: dict[str, str] = {}
    if account_id is not None:
        doc |= {"account_id": account_id, "account_name": account_name or "", "city_code": city_code or ""}
    doc |= {"observed_at": observed_at.isoformat(), "timezone": timezone}
    if period is not None:
        doc |= {"period_start": period[0].isoformat(), "period_end": period[1].isoformat()}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "_manifest.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_account_manifest(
    folder: Path,
    account: Mapping[str, str],
    at: datetime,
    timezone: str,
    period: tuple[date, date] | None = None,
) -> Path:
    """The manifest of a folder holding one registered account's export taken at ``at``."""
    return write_manifest(
        folder,
        observed_at=at,
        timezone=timezone,
        account_id=account["account_id"],
        account_name=account["account_name"],
        city_code=account["city_code"],
        period=period,
    )
