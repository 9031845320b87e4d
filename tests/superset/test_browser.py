"""Headless Chromium opens every dashboard as a person would and checks that each chart rendered."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from citypulse.superset.client import SupersetClient

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
HOLDER = ".dashboard-component-chart-holder"
RENDERED = ", ".join(
    f"{HOLDER}:has({inner})"
    for inner in ("canvas", "svg", "table", ".superset-legacy-chart-big-number", ".big_number_total")
)
ERRORS = f"{HOLDER} .ant-alert-error, {HOLDER} [data-test='error-tooltip'], {HOLDER} [role='alert']"
CHINESE_UI = ["看板", "图表", "数据集", "设置"]


def test_every_dashboard_renders_in_chinese(
    superset_server: Any, credentials: dict[str, str], admin: SupersetClient, artifacts: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium missing: run scripts/system-deps.sh")
    from playwright.sync_api import sync_playwright

    base = superset_server.base_url
    dashboards = admin.list_all("dashboard")
    assert len(dashboards) == 5
    leaked: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
        # The prebuilt frontend renders a telemetry pixel; our CSP must stop it before it leaves the host.
        page.on("response", lambda r: leaked.append(r.url) if not r.url.startswith(base) else None)
        page.goto(f"{base}/login/")
        page.fill("#username, input[name=username]", credentials["admin_user"])
        page.fill("#password, input[name=password]", credentials["admin_password"])
        page.keyboard.press("Enter")
        page.wait_for_url("**/superset/welcome/**", timeout=120_000)
        for dashboard in dashboards:
            statuses: list[int] = []
            page.on(
                "response",
                lambda r, s=statuses: s.append(r.status) if "/api/v1/chart/data" in r.url else None,
            )
            page.goto(f"{base}/superset/dashboard/{dashboard['id']}/")
            page.wait_for_selector(HOLDER, timeout=120_000)
            deadline = time.monotonic() + 150
            expected = rendered = -1
            while time.monotonic() < deadline:
                expected = page.locator(HOLDER).count()
                rendered = page.locator(RENDERED).count()
                if (
                    expected
                    and rendered == expected
                    and page.locator("[data-test='loading-indicator']").count() == 0
                ):
                    break
                time.sleep(0.5)
            time.sleep(1.0)
            title = dashboard["dashboard_title"]
            page.screenshot(
                path=str(artifacts / f"{dashboard['slug'] or dashboard['id']}.png"), full_page=True
            )
            body = page.inner_text("body")
            if rendered != expected:
                problems.append(f"{title}: {rendered}/{expected} charts rendered")
            if page.locator(ERRORS).count():
                problems.append(
                    f"{title}: chart error shown: {page.locator(ERRORS).first.inner_text()[:200]}"
                )
            if any(s >= 400 for s in statuses) or len(statuses) < expected:
                problems.append(f"{title}: chart data statuses {statuses}")
            if title not in body or not all(word in body for word in CHINESE_UI):
                problems.append(f"{title}: Chinese UI text missing")
        browser.close()
    assert not problems, problems
    assert not leaked, f"requests left localhost: {leaked}"
