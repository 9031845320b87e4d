"""The sample lands through the real landing engine: every file lands, except the one bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from citypulse.landing import runner
from citypulse.sample.generator import generate
from citypulse.settings import Settings


@pytest.mark.slow
def test_small_sample_lands_and_only_the_bad_file_is_quarantined(home: Settings, tmp_path: Path) -> None:
    summary = generate(tmp_path / "inbox", cities=2, months=1)
    result = runner.land_inbox(home, tmp_path / "inbox").to_json()["files"]
    bad = set(summary["bad_files"])
    # zip members are reported as "<zip>!<member>" and judged one by one like files
    quarantined = {f["name"]: f["error"] for f in result if f["status"] == "quarantined"}
    assert bad <= set(quarantined), f"the bad file was not refused: {bad - set(quarantined)}"
    unexpected = {name: err for name, err in quarantined.items() if name not in bad}
    assert not unexpected, f"sample files the adapters refused: {unexpected}"
    landed = [f for f in result if f["status"] == "landed"]
    assert landed and sum(f["rows_landed"] for f in landed) > 0
    # nothing lost: every row read was either landed or refused with a reason
    lost = [f["name"] for f in landed if f["rows_landed"] + f["rows_rejected"] != f["rows_in"]]
    assert not lost, f"rows neither landed nor rejected in {lost}"
    # the deliberate bad rows are refused with a reason, not dropped and not landed as numbers
    assert sum(f["rows_rejected"] for f in landed) >= 1
