"""In Chromium: a clerk registers a case at the window, a reporter reports on a phone through a
window's QR page, both track their cases with their query codes, the clerk merges the
duplicate, and the timeline shows every event."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from doudi.cases.models import Case
from doudi.conftest import shot
from doudi.core.actions import DEMO_PASSWORD, demo_load

pytestmark = pytest.mark.browser

PHONE = "13800001234"
ITEM = "RS-SB-0001"


def track(browser, base: str, number: str, code: str, name: str) -> str:  # type: ignore[no-untyped-def]
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    page = phone.new_page()
    page.goto(f"{base}/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("[data-testid=track-submit]")
    page.wait_for_selector("[data-testid=public-timeline]")
    shot(page, name)
    text = page.inner_text("[data-testid=public-timeline]")
    phone.close()
    return text


def test_intake_tracking_and_merge_end_to_end(browser, live_server, transactional_db) -> None:
    demo_load()
    base = live_server.url

    # 1. The clerk registers a case on the window form (desktop).
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    clerk = desk.new_page()
    clerk.goto(f"{base}/accounts/login/")
    clerk.fill("#id_username", "clerk")
    clerk.fill("#id_password", DEMO_PASSWORD)
    clerk.click("button[type=submit]")
    clerk.wait_for_selector("[data-testid=home-title]")
    clerk.goto(f"{base}/cases/new/")
    clerk.fill("#id_reporter_name", "赵铁柱")
    clerk.fill("#id_reporter_phone", PHONE)
    clerk.fill("#id_reporter_id_number", "11010519491231002X")
    clerk.fill("#id_service_item", ITEM)
    clerk.fill("#id_visits", "3")
    clerk.fill("#id_title", "养老保险参保登记被要求补交原单位证明")
    clerk.fill(
        "#id_description", "原单位已注销，无法开具证明，窗口要求必须提供，已经跑了三次仍未办成。"
    )
    clerk.fill("#id_request", "希望告知替代材料，尽快办理参保登记")
    # The lookups answer as the clerk types (intake.js, no inline script): the phone's earlier
    # cases (none for a new number) and the service items matching what was typed.
    # (Playwright's own waits: wait_for_function evaluates a string, which the policy forbids.)
    expect(clerk.locator("#earlier-cases")).to_contain_text("此电话")
    expect(clerk.locator("#service-item-options option")).not_to_have_count(0)
    shot(clerk, "intake-window-desktop")
    clerk.click("[data-testid=register]")
    clerk.wait_for_selector("[data-testid=case-number]")
    first_number = clerk.inner_text("[data-testid=case-number]")
    first = Case.objects.get(number=first_number)
    assert first.channel == "window"
    assert "138****1234" in clerk.inner_text("[data-testid=phone]")
    shot(clerk, "case-page-desktop")

    # 2. A reporter opens the window's QR page on a phone and reports the same matter.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    reporter = phone.new_page()
    reporter.goto(f"{base}/r/SFQ-05")
    shot(reporter, "window-qr-page-phone")
    reporter.click("[data-testid=report-link]")
    reporter.fill("#id_reporter_name", "赵铁柱")
    reporter.fill("#id_reporter_phone", PHONE)
    reporter.fill("#id_service_item", ITEM)
    reporter.fill("#id_title", "参保登记办不了，窗口一直要原单位证明")
    reporter.fill("#id_description", "单位早就注销了，开不出证明，窗口说没有证明就不能办。")
    assert reporter.evaluate("document.documentElement.scrollWidth") <= 390
    shot(reporter, "report-form-phone")
    reporter.click("[data-testid=submit-report]")
    reporter.wait_for_selector("[data-testid=done-code]")
    second_number = reporter.inner_text("[data-testid=done-number]")
    second_code = reporter.inner_text("[data-testid=done-code]")
    shot(reporter, "report-done-phone")
    phone.close()
    second = Case.objects.get(number=second_number)
    assert second.channel == "qr"

    # 3. Both are tracked with their query codes.
    assert "登记" in track(browser, base, first_number, first.query_code, "track-window-case-phone")
    assert "登记" in track(browser, base, second_number, second_code, "track-qr-case-phone")

    # 4. The clerk sees the duplicate on the second case and merges it with one click.
    clerk.goto(f"{base}/cases/{second.pk}/")
    assert first_number in clerk.inner_text("[data-testid=duplicates]")
    clerk.click(f"[data-testid=duplicates] form:has(input[value='{first_number}']) button")
    clerk.wait_for_selector("[data-testid=case-state]")
    assert clerk.inner_text("[data-testid=case-state]") == "已合并"

    # 5. The first case's timeline shows every event of both cases.
    clerk.goto(f"{base}/cases/{first.pk}/")
    timeline = clerk.inner_text("[data-testid=timeline]")
    assert timeline.count("登记") >= 2  # its own registration and the merged case's
    assert "合并到其他案件" in timeline
    assert "合并了重复案件" in timeline
    assert second_number in timeline
    shot(clerk, "timeline-after-merge-desktop")
    desk.close()
