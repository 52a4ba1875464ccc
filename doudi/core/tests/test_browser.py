"""Each demo user signs in through the real login page in Debian's Chromium and sees a Chinese
home page for their role; a screenshot of each is kept (DOUDI_SCREENSHOTS)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from doudi.conftest import SCREENSHOTS
from doudi.core.actions import DEMO_PASSWORD, demo_load
from doudi.directory.demo_data import DEMO_USERS

pytestmark = pytest.mark.browser

HOME_TITLES = {
    "clerk": "受理工作台",
    "taskforce": "专班分拣台",
    "handler": "部门工作单",
    "supervisor": "督办工作台",
    "leader": "领导驾驶舱",
    "admin": "系统管理",
}


def test_each_demo_user_signs_in_and_sees_their_home(
    browser, live_server, transactional_db
) -> None:
    demo_load()  # once: every demo user signs in on the same data
    for username, display_name, role, *_scope in DEMO_USERS:
        page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
        page.goto(f"{live_server.url}/")
        assert "/accounts/login/" in page.url
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=home-title]")
        assert page.inner_text("[data-testid=home-title]") == HOME_TITLES[role], username
        assert display_name in page.inner_text("[data-testid=whoami]")
        if role == "leader":
            # ECharts, served from npm through whitenoise, drew the chart into a canvas.
            page.wait_for_selector("#items-chart canvas")
            page.wait_for_timeout(600)  # let the 300 ms bar animation finish
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"home-{username}.png"), full_page=True)
        page.close()


def test_the_login_page_works_on_a_phone(browser, live_server, transactional_db) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.is_visible("text=工作人员登录")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login-phone.png"), full_page=True)
    page.close()


def test_the_directory_search_filters_as_one_types(browser, live_server, transactional_db) -> None:
    demo_load()
    page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=home-title]")
    page.goto(f"{live_server.url}/directory/list/items/")
    rows_before = page.locator("#listing tbody tr").count()
    # htmx (from npm, through whitenoise) swaps in the filtered table without a page load.
    page.fill("input[name=q]", "失业保险")
    expect(page.locator("#listing tbody tr")).not_to_have_count(rows_before)
    assert page.locator("#listing tbody tr").count() < rows_before
    names = page.locator("#listing tbody tr td:nth-child(2)").all_inner_texts()
    assert names
    assert all("失业保险" in name for name in names)
    assert "q=" in page.url  # the filtered list has its own address
    page.screenshot(path=str(SCREENSHOTS / "directory-search.png"), full_page=True)
    page.close()
