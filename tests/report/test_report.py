"""The report opens offline in headless Chromium, without console errors or network requests,
and shows the frozen run's ranking."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from citypulse.evaluation.frozen import run_dir
from citypulse.evaluation.methodology import DEFAULT_VERSION
from citypulse.evaluation.run import evaluate
from citypulse.report.render import fmt, write_report
from citypulse.settings import Settings
from tests.evaluation import serving_fixture

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, str, Path]:
    home = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CITYPULSE_HOME", str(home))
        settings = Settings.from_env().ensure()
        serving_fixture.build(settings.serving_db)
        run_id = evaluate(settings, "2026-10")
        yield settings, run_id, write_report(settings, "2026-10", home / "out" / "report.html")


def test_half_up_display_rounding() -> None:
    assert fmt(2.675) == "2.68" and fmt(84.85465) == "84.85" and fmt(None) == "—" and fmt(0.125) == "0.13"


def test_report_is_self_contained(report: tuple[Settings, str, Path]) -> None:
    _settings, run_id, path = report
    html = path.read_text(encoding="utf-8")
    assert run_id in html and f"方法版本 {DEFAULT_VERSION}" in html and "<svg" in html
    for external in ("<script", "<link", "@import", 'src="http', "url(http"):
        assert external not in html


@pytest.mark.skipif(
    shutil.which(CHROMIUM) is None, reason="Debian chromium missing: bash scripts/system-deps.sh"
)
def test_report_renders_in_chromium_offline(report: tuple[Settings, str, Path]) -> None:
    from playwright.sync_api import sync_playwright

    settings, run_id, path = report
    expected = (
        pl.read_parquet(run_dir(settings.evaluations, run_id) / "eval_composite_score.parquet")
        .filter(composite="overall")
        .sort("rank")
    )
    names = {"510100": "成都市", "610100": "西安市", "370300": "淄博市"}
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        cells = page.locator("#composite-overall tbody tr td:nth-child(2)").all_inner_texts()
        scores = page.locator("#composite-overall tbody tr td:nth-child(3)").all_inner_texts()
        run_shown = page.locator("#run-id").inner_text()
        svg_count = page.locator("svg").count()
        browser.close()
    assert errors == []
    assert requests == [path.as_uri()]
    assert cells == [names[c] for c in expected["city_code"]]
    assert scores == [fmt(s) for s in expected["score"]]
    assert run_shown == run_id and svg_count >= 3
