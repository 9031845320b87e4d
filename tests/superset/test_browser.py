"""Headless Chromium uses Superset as each person would: the login page, then per role (admin,
分析员, 查看者) the home page and every dashboard that role may see, each screenshotted under
test-artifacts/superset/. Fails on an error box or toast, a chart that says "No results", a
request the page was refused, or an English UI string from the list below."""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from citypulse.superset.client import SupersetClient
from tests.superset.conftest import login

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
TOASTS = "[data-test='toast-container'] .toast--danger, [data-test='toast-container'] .toast--warning"
CHINESE_UI = ["看板", "设置"]
CHINESE_LOGIN = ["登录", "用户名", "密码"]
# English the Chinese UI must not show: Superset's own words on the screens every role sees (the
# catalogue's gaps and fallbacks), never data values. Matched as whole words.
ENGLISH_UI = [
    "No results",
    "No data",
    "Forbidden",
    "Not In",
    "Sign in",
    "Sign In",
    "Enter your login",
    "Dashboards",
    "Charts",
    "Datasets",
    "Settings",
    "Recents",
    "Favorites",
    "Home",
    "Loading",
    "Unexpected error",
    "There was an error",
    "(No filter)",
    "Apply filters",
    "Clear all",
    "View all",
    "Edit dashboard",
]
# Superset's dashboard page writes the label colours it computed back to the dashboard for every
# visitor; a read-only role is refused that write (it holds no can_write on Dashboard) and nothing
# is shown. Not an error of the page.
COLOUR_SYNC = re.compile(r"^/api/v1/dashboard/\d+/colors\?mark_updated=false$")
ROLES = {"admin": "管理员", "analyst": "分析员", "viewer": "查看者"}


def english_shown(text: str) -> list[str]:
    return [word for word in ENGLISH_UI if re.search(rf"(?<![\w(]){re.escape(word)}(?!\w)", text)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium missing: run scripts/system-deps.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Session:
    """One browser context (its own cookies) for one person, with the page's refused requests."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1600, "height": 1200}, locale="zh-CN")
        self.page = self.context.new_page()
        self.refused: list[str] = []
        self.offsite: list[str] = []
        self.page.on("response", self._seen)

    def _seen(self, response: Any) -> None:
        if not response.url.startswith(self.base):
            # the prebuilt frontend renders a telemetry pixel: our CSP must stop it leaving the host
            self.offsite.append(response.url)
        elif response.status >= 400 and not COLOUR_SYNC.match(response.url.removeprefix(self.base)):
            self.refused.append(f"{response.status} {response.url.removeprefix(self.base)}")

    def log_in(self, user: str, password: str) -> None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.page.goto(f"{self.base}/login/")
        # The form is React's (antd): it posts only once its scripts are attached, which on a loaded
        # machine can come after "network idle". A form still showing after its post is submitted again,
        # as a person would; each miss is kept for the failure message.
        missed: list[str] = []
        for attempt in range(3):
            self.page.wait_for_load_state("networkidle", timeout=60_000)
            self.page.fill("[data-test=username-input]", user)
            self.page.fill("[data-test=password-input]", password)
            self.page.click("[data-test=login-button]")
            try:
                self.page.wait_for_url("**/superset/welcome/**", timeout=40_000)
                return
            except PlaywrightTimeout:
                shot = Path(tempfile.gettempdir()) / f"login-{user}-{attempt}.png"
                self.page.screenshot(path=str(shot))
                missed.append(f"{self.page.url} ({shot}): {self.page.inner_text('body')[:300]!r}")
                if "/login" not in self.page.url:
                    break
        raise AssertionError(f"{user} did not reach the welcome page: " + " | ".join(missed))

    def settle(self, seconds: float = 1.5) -> None:
        self.page.wait_for_load_state("networkidle", timeout=60_000)
        time.sleep(seconds)


def _problems(session: Session, where: str, must_show: list[str]) -> list[str]:
    page = session.page
    body = page.inner_text("body")
    found = []
    if page.locator(TOASTS).count():
        found.append(f"{where}: error toast: {page.locator(TOASTS).first.inner_text()[:200]}")
    if session.refused:
        found.append(f"{where}: requests refused: {session.refused}")
    missing = [word for word in must_show if word not in body]
    if missing:
        found.append(f"{where}: Chinese UI text missing: {missing}")
    english = english_shown(body)
    if english:
        found.append(f"{where}: English UI text: {english}")
    return found


def _wait_for_charts(page: Any, shot: Path) -> tuple[int, int]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # A dashboard whose layout has not appeared after two minutes is reloaded once, as a person
    # would; what the first try showed is kept beside the screenshots and in the failure message.
    try:
        page.wait_for_selector(HOLDER, timeout=120_000)
    except PlaywrightTimeout:
        page.screenshot(path=str(shot.with_suffix(".first-try.png")), full_page=True)
        first = f"{page.url}: {page.inner_text('body')[:300]!r}"
        page.reload()
        try:
            page.wait_for_selector(HOLDER, timeout=120_000)
        except PlaywrightTimeout as again:
            raise AssertionError(f"no chart holder after a reload; first try showed {first}") from again
    deadline = time.monotonic() + 150
    expected = rendered = -1
    while time.monotonic() < deadline:
        expected = page.locator(HOLDER).count()
        rendered = page.locator(RENDERED).count()
        if expected and rendered == expected and page.locator("[data-test='loading-indicator']").count() == 0:
            break
        time.sleep(0.5)
    time.sleep(1.0)
    return expected, rendered


def test_english_list_matches_words_not_data() -> None:
    assert english_shown("看板 Dashboards 设置") == ["Dashboards"]
    assert english_shown("找到 No results") == ["No results"]
    assert english_shown("DashboardsX HomeTown period_start") == []


def test_login_page_is_chinese_for_anonymous_visitors(
    browser: Any, superset_server: Any, artifacts: Path
) -> None:
    session = Session(browser, superset_server.base_url)
    try:
        packs: list[int] = []
        session.page.on("response", lambda r: packs.append(r.status) if "/language_pack/" in r.url else None)
        session.page.goto(f"{session.base}/login/")
        session.page.wait_for_selector("input[name=username], #username", timeout=60_000)
        session.settle()
        session.page.screenshot(path=str(artifacts / "login.png"), full_page=True)
        assert all(status == 200 for status in packs), f"language pack answered {packs}"
        problems = _problems(session, "login", CHINESE_LOGIN)
        assert not problems, problems
    finally:
        session.context.close()


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_sees_its_home_and_dashboards_in_chinese(
    role: str,
    browser: Any,
    superset_server: Any,
    credentials: dict[str, str],
    artifacts: Path,
) -> None:
    base = superset_server.base_url
    visible = login(superset_server, credentials, role).list_all("dashboard")
    assert visible, f"{ROLES[role]} sees no dashboard"
    session = Session(browser, base)
    problems: list[str] = []
    try:
        session.log_in(credentials[f"{role}_user"], credentials[f"{role}_password"])
        session.settle(3.0)  # the home page's lists and recent activity load after the page
        session.page.screenshot(path=str(artifacts / f"{role}-home.png"), full_page=True)
        problems += _problems(session, f"{ROLES[role]} 主页", CHINESE_UI)
        menu = session.page.locator("[role='menubar'], .main-nav, header").first.inner_text()
        if "看板" not in menu:
            problems.append(f"{ROLES[role]} 主页: no 看板 menu entry ({menu[:120]!r})")
        for dashboard in visible:
            problems += _check_dashboard(session, dashboard, role, artifacts)
    finally:
        session.context.close()
    assert not problems, problems
    assert not session.offsite, f"requests left localhost: {session.offsite}"


def _check_dashboard(session: Session, dashboard: dict[str, Any], role: str, artifacts: Path) -> list[str]:
    page = session.page
    title = dashboard["dashboard_title"]
    where = f"{ROLES[role]} {title}"
    statuses: list[int] = []
    record: Callable[[Any], None] = lambda r: (  # noqa: E731 - a listener removed below
        statuses.append(r.status) if "/api/v1/chart/data" in r.url else None
    )
    session.refused.clear()
    page.on("response", record)
    try:
        page.goto(f"{session.base}/superset/dashboard/{dashboard['id']}/")
        shot = artifacts / f"{role}-{dashboard['slug'] or dashboard['id']}.png"
        expected, rendered = _wait_for_charts(page, shot)
        page.screenshot(path=str(shot), full_page=True)
    finally:
        page.remove_listener("response", record)
    found = _problems(session, where, [title, *CHINESE_UI])
    if rendered != expected:
        found.append(f"{where}: {rendered}/{expected} charts rendered")
    if page.locator(ERRORS).count():
        found.append(f"{where}: chart error shown: {page.locator(ERRORS).first.inner_text()[:200]}")
    empty = page.locator(f"{HOLDER}:has-text('No results'), {HOLDER}:has-text('无结果')").count()
    if empty:
        found.append(f"{where}: {empty} charts show no results")
    if any(s >= 400 for s in statuses) or len(statuses) < expected:
        found.append(f"{where}: chart data statuses {statuses}")
    return found


def test_language_pack_carries_the_corrections(viewer: SupersetClient) -> None:
    response = viewer.get("/superset/language_pack/zh/")
    assert response.status_code == 200
    messages = response.json()["locale_data"]["superset"]
    assert messages["Sign in"] == ["登录"] and messages["%s record"] == ["共 %s 条"]
    assert messages["Dashboards"] == ["看板"]  # the shipped catalogue, otherwise as it was


def test_viewer_is_refused_what_it_may_not_see(viewer: SupersetClient) -> None:
    """Least privilege: the reader's additions open nothing beyond reading dashboards in Chinese."""
    for path in ("/api/v1/log/", "/api/v1/dataset/", "/api/v1/database/", "/sqllab/", "/chart/add"):
        response = viewer.get(path, allow_redirects=False)
        assert response.status_code in (302, 401, 403, 404), (path, response.status_code)
