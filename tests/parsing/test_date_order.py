"""Day and month are never swapped: one day/month order per date column, decided from all of its
values, else declared (folder manifest over adapter), else the file is refused (quarantined)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citypulse.adapters.base import Adapter, col
from citypulse.adapters.yaml_loader import AdapterDefinitionError, adapter_from_mapping
from citypulse.lake import ledger
from citypulse.landing.manifest import ManifestError, read_manifest
from citypulse.landing.runner import BATCH_ABOVE_ENV, BATCH_PIECE_ENV, land_inbox
from citypulse.parsing.dates import (
    AMBIGUOUS_ORDER,
    CONTRADICTORY_ORDER,
    DateOrderError,
    OrderEvidence,
    decide_order,
    order_evidence,
    parse_date,
)
from citypulse.settings import Settings
from tests.landing.conftest import place, read_lake, read_zone

_LAYOUT = {"DMY": "{d}{s}{m}{s}{y}", "MDY": "{m}{s}{d}{s}{y}", "YMD": "{y}{s}{m}{s}{d}"}


def _render(day: date, order: str, sep: str, padded: bool) -> str:
    width = 2 if padded or order == "YMD" else 1
    return _LAYOUT[order].format(d=f"{day.day:0{width}d}", m=f"{day.month:0{width}d}", y=day.year, s=sep)


def _decided(values: list[str], declared: str | None) -> list[date | None]:
    """The landing engine's path: decide over the whole column, then parse it in that order."""
    frame = pl.DataFrame({"v": values})
    order = decide_order(order_evidence(frame, ["v"])["v"], declared, "Date")
    return frame.select(parse_date(pl.col("v"), "UTC", order=order)).to_series().to_list()


def _undeclared(values: list[str]) -> list[date | None]:
    """The parser called without an order: the values given decide."""
    frame = pl.DataFrame({"v": values})
    return frame.select(parse_date(pl.col("v"), "UTC")).to_series().to_list()


def _swapped(day: date) -> date:
    return date(day.year, day.day, day.month)


@st.composite
def _columns(draw: st.DrawFn) -> tuple[list[date], str, str, bool, str | None]:
    order = draw(st.sampled_from(["DMY", "MDY", "YMD"]))
    ambiguous_only = draw(st.booleans())  # no value decides: every day ≤ 12
    day = st.integers(1, 12) if ambiguous_only else st.integers(1, 28)
    days = draw(
        st.lists(st.builds(date, st.integers(1990, 2040), st.integers(1, 12), day), min_size=1, max_size=40)
    )
    return (
        days,
        order,
        draw(st.sampled_from(["-", "/", "."])),
        draw(st.booleans()),
        draw(st.sampled_from([None, "DMY", "MDY", "YMD"])),
    )


@settings(max_examples=150, deadline=None)
@given(_columns())
def test_every_date_is_read_in_the_columns_one_order(
    column: tuple[list[date], str, str, bool, str | None],
) -> None:
    days, order, sep, padded, declared = column
    values = [_render(d, order, sep, padded) for d in days]
    decisive = order == "YMD" or any(d.day > 12 for d in days)
    if decisive:
        # the values decide, whatever is declared
        assert _decided(values, declared) == days
        assert _undeclared(values) == days
        return
    # every day ≤ 12: only the declaration can tell day from month, and parsing never guesses
    assert _undeclared(values) == [None] * len(days)
    if declared in ("DMY", "MDY"):
        # read exactly as declared: a wrong declaration swaps, consistently, every value
        expected = days if declared == order else [_swapped(d) for d in days]
        assert _decided(values, declared) == expected
    else:
        with pytest.raises(DateOrderError, match=r"ambiguous day/month order\): column Date"):
            _decided(values, declared)


def test_one_value_above_12_decides_the_whole_column() -> None:
    # the real-export trap: US order first read 01-07-2025 as 7 January and refused 13-06-2025
    values = ["13-06-2025", "01-07-2025", "12-06-2026", "07-01-2026"]
    expected = [date(2025, 6, 13), date(2025, 7, 1), date(2026, 6, 12), date(2026, 1, 7)]
    assert _decided(values, None) == expected
    assert _decided(values, "MDY") == expected  # the values win over a declaration
    assert _undeclared(values) == expected


def test_evidence_names_the_first_value_of_each_kind_and_ignores_impossible_parts() -> None:
    frame = pl.DataFrame(
        {"v": [" 3/4/2025 9:02 PM", None, "45/03/2025", "13/13/2025", "7-16-2020 ", "Lifetime"]}
    )
    assert order_evidence(frame, ["v"])["v"] == OrderEvidence(
        day_first=None, month_first="7-16-2020", ambiguous="3/4/2025"
    )
    later = OrderEvidence(day_first="13.1.2025", month_first="1-13-2025", ambiguous="1-1-2025")
    assert OrderEvidence(ambiguous="3/4/2025").then(later) == OrderEvidence(
        "13.1.2025", "1-13-2025", "3/4/2025"
    )


def test_values_proving_both_orders_refuse_the_column() -> None:
    with pytest.raises(DateOrderError) as refused:
        _decided(["13-06-2025", "06-13-2025", "01-01-2025"], "DMY")
    assert str(refused.value) == (
        f"{CONTRADICTORY_ORDER}: column Date: '13-06-2025' can only be day-first and '06-13-2025' only month-first"
    )


def test_year_first_and_named_months_need_no_order() -> None:
    values = ["2025-07-01", "Jun 27, 2023", "2025/01/02 10:00"]
    assert _decided(values, None) == [date(2025, 7, 1), date(2023, 6, 27), date(2025, 1, 2)]


def test_declared_orders_are_checked_where_they_are_written(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown date_order 'DDMM'"):
        Adapter(
            "x",
            "youtube",
            "account_daily",
            ("Date",),
            (col("date", "Date", parser="date"),),
            date_order="DDMM",
        )
    doc = {
        "name": "y",
        "platform": "youtube",
        "entity": "account_daily",
        "signature": ["Date"],
        "columns": {"date": {"from": "Date", "parser": "date"}},
    }
    assert adapter_from_mapping({**doc, "date_order": "dmy"}, tmp_path / "y.yaml").date_order == "DMY"
    with pytest.raises(AdapterDefinitionError, match="y.yaml: .*unknown date_order"):
        adapter_from_mapping({**doc, "date_order": "DM"}, tmp_path / "y.yaml")
    manifest = tmp_path / "_manifest.yaml"
    manifest.write_text("date_order: DMY\n", encoding="utf-8")
    assert read_manifest(manifest).date_order == "DMY"
    manifest.write_text("date_order: D/M\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="date_order 'D/M' is not one of DMY, MDY, YMD"):
        read_manifest(manifest)


# --- landing ---------------------------------------------------------------------------------

_OBSERVED = "observed_at: 2026-07-01T10:00:00+00:00\n"
# YouTube Studio Totals re-saved by a day-first spreadsheet, every day ≤ 12: no value decides
_AMBIGUOUS_TOTALS = "Date,Views\r\n01-07-2025,5\r\n02-07-2025,7\r\n12-07-2025,0\r\n05-11-2025,12\r\n"


def _land(root: Path, name: str, text: str, manifest: str) -> tuple[Settings, dict]:
    inbox = root / "inbox"
    target = inbox / "youtube" / "channel" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8", newline="")
    (target.parent / "_manifest.yaml").write_text(manifest, encoding="utf-8")
    home = Settings.from_env(root / "home").ensure()
    result = land_inbox(home, inbox)
    return home, result.to_json()["files"][0]


def test_an_undecidable_file_is_quarantined_with_the_reason(tmp_path: Path) -> None:
    home, result = _land(tmp_path, "Totals.csv", _AMBIGUOUS_TOTALS, _OBSERVED)
    reason = (
        f"youtube/channel/Totals.csv: {AMBIGUOUS_ORDER}: column Date: no value tells day from month "
        "(e.g. '01-07-2025'); declare the order in the folder's _manifest.yaml (date_order: DMY or date_order: MDY)"
    )
    assert (result["status"], result["error"]) == ("quarantined", reason)
    entry = ledger.read_ledger(home).row(0, named=True)
    assert (entry["status"], entry["error"]) == ("quarantined", reason)
    saved = json.loads((home.quarantine / entry["ingest_id"] / "reason.json").read_text(encoding="utf-8"))
    # people read plain Chinese; the parser's own message stays as the detail
    assert (saved["reason_code"], saved["detail"]) == ("date_order_ambiguous", reason)
    assert saved["reason"].startswith("日期的日月顺序无法判断：youtube/channel/Totals.csv")
    assert entry["reason_code"] == "date_order_ambiguous"
    assert read_lake(home, "account_daily").is_empty()


def test_the_manifests_order_lands_the_same_file(tmp_path: Path) -> None:
    home, result = _land(tmp_path, "Totals.csv", _AMBIGUOUS_TOTALS, _OBSERVED + "date_order: DMY\n")
    assert (result["status"], result["rows_landed"], result["rows_rejected"]) == ("landed", 4, 0)
    lake = read_lake(home, "account_daily").sort("date")
    assert lake.select("date", "views").rows() == [
        (date(2025, 7, 1), 5),
        (date(2025, 7, 2), 7),
        (date(2025, 7, 12), 0),
        (date(2025, 11, 5), 12),
    ]


def test_a_file_proving_both_orders_is_quarantined(tmp_path: Path) -> None:
    text = _AMBIGUOUS_TOTALS + "13-07-2025,1\r\n07-14-2025,2\r\n"
    _, result = _land(tmp_path, "Totals.csv", text, _OBSERVED + "date_order: DMY\n")
    assert result["status"] == "quarantined"
    assert result["error"] == (
        f"youtube/channel/Totals.csv: {CONTRADICTORY_ORDER}: column Date: '13-07-2025' can only be "
        "day-first and '07-14-2025' only month-first"
    )


@pytest.mark.parametrize("manifest", ["", "date_order: MDY\n"])
def test_batches_of_ambiguous_days_follow_the_whole_files_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manifest: str
) -> None:
    # only the last rows prove day-first: the earlier batches (days 1–12 only) decide nothing on
    # their own, or the manifest's MDY, and must still land day-first, as the whole file does
    days = [date(2025, 7, d) for d in range(1, 13)] * 3 + [date(2025, 7, 13)]
    text = "Date,Views\r\n" + "".join(f"{d:%d-%m-%Y},{i}\r\n" for i, d in enumerate(days))
    whole_home, whole = _land(tmp_path / "whole", "Totals.csv", text, _OBSERVED + manifest)
    monkeypatch.setenv(BATCH_ABOVE_ENV, "0")
    monkeypatch.setenv(BATCH_PIECE_ENV, "64")
    batched_home, batched = _land(tmp_path / "batched", "Totals.csv", text, _OBSERVED + manifest)
    assert whole == batched
    assert (batched["status"], batched["rows_landed"], batched["rows_rejected"]) == ("landed", 37, 0)
    lake = read_lake(batched_home, "account_daily").sort("source_row")
    assert lake["date"].to_list() == days
    assert lake.drop("landed_at", strict=False).equals(
        read_lake(whole_home, "account_daily").sort("source_row").drop("landed_at", strict=False)
    )


def test_an_undecidable_file_in_batches_is_quarantined_as_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, whole = _land(tmp_path / "whole", "Totals.csv", _AMBIGUOUS_TOTALS, _OBSERVED)
    monkeypatch.setenv(BATCH_ABOVE_ENV, "0")
    monkeypatch.setenv(BATCH_PIECE_ENV, "32")
    _, batched = _land(tmp_path / "batched", "Totals.csv", _AMBIGUOUS_TOTALS, _OBSERVED)
    assert batched["status"] == "quarantined"
    assert batched["error"] == whole["error"]


@pytest.mark.real_exports
def test_the_real_day_first_totals_land_every_day(tmp_path: Path, real_exports: Path) -> None:
    # YouTube Studio Totals re-saved by Excel as DD-MM-YYYY: 144 of its 365 days are ≤ 12
    source = real_exports / "youtube" / "priyanka-shorts-totals-views-ddmmyyyy.csv"
    home = Settings.from_env(tmp_path / "home").ensure()
    place(home.inbox, source, "youtube/priyanka/Totals.csv", manifest=_OBSERVED)
    result = land_inbox(home, home.inbox).to_json()["files"][0]
    assert (result["adapter"], result["status"]) == ("youtube_studio_totals", "landed")
    assert (result["rows_in"], result["rows_landed"], result["rows_rejected"]) == (365, 365, 0)
    assert read_zone(home.rejects).is_empty()
    lake = read_lake(home, "account_daily")
    assert (lake["date"].min(), lake["date"].max(), lake["date"].n_unique()) == (
        date(2025, 6, 13),
        date(2026, 6, 12),
        365,
    )
    pins = lake.filter(pl.col("source_row").is_in([2, 20, 203, 210, 267, 366])).sort("source_row")
    assert pins.select("source_row", "date", "views").rows() == [
        (2, date(2025, 6, 13), 1224),  # 13-06-2025
        (20, date(2025, 7, 1), 3),  # 01-07-2025, not 7 January
        (203, date(2025, 12, 31), 4),  # 31-12-2025
        (210, date(2026, 1, 7), 5),  # 07-01-2026, not 1 July
        (267, date(2026, 3, 5), 2122),  # 05-03-2026
        (366, date(2026, 6, 12), 19),  # 12-06-2026, not 6 December
    ]
