"""A CSV landed in row batches (big files) ends up exactly as when it is landed whole.

Every real CSV export, and the same posts in GB18030, UTF-16 and with BOMs inside, land into two
data homes from one inbox: whole, and in batches of a few kilobytes (so every file spans several
batches, windowed rules and headers repeated mid-file included). Lake rows, rejects (with their
raw records) and ledger entries must be identical.
"""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import polars as pl
import pytest

from citypulse.lake import ledger
from citypulse.landing.runner import BATCH_ABOVE_ENV, BATCH_PIECE_ENV, land_inbox
from citypulse.settings import Settings
from tests.landing.conftest import lake_state, place, read_zone

pytestmark = pytest.mark.real_exports


def _inbox(root: Path, real_exports: Path) -> Path:
    inbox = root / "inbox"
    manifest = "observed_at: 2026-11-01T10:00:00+08:00\n"
    for source in sorted(real_exports.rglob("*.csv")):
        platform = source.parent.name
        place(inbox, source, f"{platform}/{source.stem}/{source.name}", manifest=manifest)
    posts = (real_exports / "weibo" / "dilireba-official-weibo-crawler-posts-2019.csv").read_bytes()
    text = posts.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    variants = {
        "gb18030": text.encode("gb18030"),
        "utf16": codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
        # an appending crawler's BOM before its second run's header, mid-file
        "inner-bom": posts + codecs.BOM_UTF8 + "".join(lines[:400]).encode("utf-8"),
        # a cell with a line break and quotes inside, and a blank line
        "quoted": (
            lines[0]
            + lines[1]
            + '\n4400000000000001,Abc,"第一行\n第二行 ""引号""",,,,,2019-08-01,,1,2,3,,\n'
            + "".join(lines[2:50])
        ).encode("utf-8"),
    }
    for name, data in variants.items():
        target = inbox / "weibo" / f"dilireba-{name}" / "1669879400.csv"
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        (target.parent / "_manifest.yaml").write_text(manifest, encoding="utf-8")
    return inbox


def _state(settings: Settings) -> dict[str, pl.DataFrame]:
    entries = ledger.read_ledger(settings).drop("landed_at").sort("original_name")
    return {**lake_state(settings), "ledger": entries, "rejects": read_zone(settings.rejects)}


# Batch size per file size: every file spans several batches, the big ones not thousands (the
# cost of a landing grows with its number of batches, not its bytes).
SMALL_FILE = 64 * 1024
PIECE_BYTES = {"small": 2048, "big": 32 * 1024}


def _by_size(inbox: Path, root: Path) -> dict[str, Path]:
    """The inbox's account folders (one CSV each) moved into a ``small`` and a ``big`` inbox."""
    for csv in sorted(inbox.rglob("*.csv")):
        kind = "small" if csv.stat().st_size < SMALL_FILE else "big"
        target = root / kind / csv.parent.relative_to(inbox)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(csv.parent, target)
    return {kind: root / kind for kind in PIECE_BYTES}


def test_row_batches_land_what_the_whole_file_lands(
    tmp_path: Path, real_exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inboxes = _by_size(_inbox(tmp_path, real_exports), tmp_path)
    whole = Settings.from_env(tmp_path / "whole").ensure()
    for inbox in inboxes.values():
        land_inbox(whole, inbox)
    monkeypatch.setenv(BATCH_ABOVE_ENV, "0")
    batched = Settings.from_env(tmp_path / "batched").ensure()
    for kind, inbox in inboxes.items():
        monkeypatch.setenv(BATCH_PIECE_ENV, str(PIECE_BYTES[kind]))
        land_inbox(batched, inbox)

    expected, got = _state(whole), _state(batched)
    entries = expected["ledger"]
    assert entries.height == sum(len(list(inbox.rglob("*.csv"))) for inbox in inboxes.values())
    assert set(entries["status"]) == {"landed"}, entries.select("original_name", "status", "error")
    assert {"gb18030", "utf-16-le"} <= set(entries["encoding"])
    assert got.keys() == expected.keys()
    for key, frame in expected.items():
        assert got[key].equals(frame), key
    # the windowed rule saw the whole file: earlier appearances refused across batch boundaries
    superseded = got["rejects"].filter(pl.col("reason").str.contains("appears again later"))
    assert superseded.height > 1000


def test_an_unreadable_record_in_a_later_batch_quarantines_the_file_as_whole_landing_does(
    tmp_path: Path, real_exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # batches are parsed as the landing meets them: a record polars cannot read, far past the
    # header, must still quarantine the file with the reader's words, not escape as an exception
    posts = (real_exports / "weibo" / "dilireba-official-weibo-crawler-posts-2019.csv").read_bytes()
    inbox = tmp_path / "inbox"
    target = inbox / "weibo" / "dilireba" / "1669879400.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(posts + b'"x"y,1\n')
    (target.parent / "_manifest.yaml").write_text(
        "observed_at: 2026-11-01T10:00:00+08:00\n", encoding="utf-8"
    )
    whole = land_inbox(Settings.from_env(tmp_path / "whole").ensure(), inbox).files
    monkeypatch.setenv(BATCH_ABOVE_ENV, "0")
    monkeypatch.setenv(BATCH_PIECE_ENV, str(PIECE_BYTES["big"]))
    batched = land_inbox(Settings.from_env(tmp_path / "batched").ensure(), inbox).files
    for result in (whole[0], batched[0]):
        assert result.status == "quarantined"
        assert result.error is not None and "1669879400.csv: not a readable CSV" in result.error
