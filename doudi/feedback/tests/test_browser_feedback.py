"""In Chromium: a 非常不满意 rating on a window's phone page becomes a rectification case in the
task force's queue with its due dates; an unsolved return visit reopens its case; a finding
recorded on a case shows on the staff member's record."""

from __future__ import annotations

import pytest

from doudi.accountability.models import Finding
from doudi.cases.models import Case
from doudi.conftest import shot, sign_in
from doudi.core.actions import demo_load
from doudi.deadlines.models import Clock, ClockKind
from doudi.feedback.models import Rating, ReturnVisit

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_a_bad_rating_a_reopened_visit_and_a_finding(
    browser, live_server, transactional_db
) -> None:
    base = live_server.url
    demo_load()

    # A person at window 05 rates it from their phone: 非常不满意.
    phone = browser.new_context(locale="zh-CN", **PHONE).new_page()
    phone.goto(f"{base}/r/SFQ-05")
    phone.click("[data-testid=rate-link]")
    phone.click("[data-testid=levels-level] label:has-text('非常不满意')")
    phone.click("[data-testid=levels-attitude] label:has-text('不满意') >> nth=0")
    phone.fill("#id_comment", "窗口让我回去补材料，问缺什么又讲不清楚，已经跑了三趟。")
    phone.fill("#id_callback_phone", "13912348888")
    shot(phone, "rating-phone")
    phone.click("[data-testid=submit-rating]")
    number = phone.inner_text("[data-testid=rectification-number]")
    shot(phone, "rating-phone-thanks")
    case = Case.objects.get(number=number)
    assert (case.channel, case.state) == ("bad_review", "triage")
    rating = Rating.objects.get(rectification=case)
    assert (rating.level, rating.window.code) == (1, "SFQ-05")

    # It is in the task force's queue, with its verify and fix deadlines.
    force = sign_in(browser, base, "taskforce")
    force.goto(f"{base}/triage/")
    row = force.locator("[data-testid=triage-queue] .list-group-item", has_text=number)
    verify = Clock.objects.get(case=case, kind=ClockKind.VERIFY)
    fix = Clock.objects.get(case=case, kind=ClockKind.FIX)
    from django.utils import timezone

    assert f"{timezone.localtime(verify.due_at):%Y-%m-%d %H:%M}" in row.inner_text()
    assert f"{timezone.localtime(fix.due_at):%Y-%m-%d %H:%M}" in row.inner_text()
    assert row.locator("[data-testid=bad-review-badge]").is_visible()
    shot(force, "triage-bad-review")

    # A supervisor's return visit finds the matter unsolved: the case goes back to triage.
    supervisor = sign_in(browser, base, "supervisor")
    supervisor.goto(f"{base}/feedback/visits/")
    shot(supervisor, "visit-queue")
    visit = ReturnVisit.objects.filter(outcome="").order_by("opened_at").first()
    assert visit is not None
    supervisor.click(f"[data-testid=visit-{visit.case.number}]")
    supervisor.click("[data-testid=outcome-form] label:has-text('未解决')")
    supervisor.click("[data-testid=outcome-form] label:has-text('不满意') >> nth=0")
    supervisor.fill("[data-testid=outcome-form] textarea", "还是没办成，窗口仍要原单位证明")
    supervisor.click("[data-testid=save-outcome]")
    supervisor.wait_for_selector("text=未解决或不满意，重新办理")
    reopened = Case.objects.get(pk=visit.case_id)
    assert (reopened.state, reopened.reopen_count) == ("triage", 1)

    # On that case's page the supervisor records a finding against a window's staff member.
    supervisor.goto(f"{base}/cases/{reopened.pk}/")
    supervisor.click("[data-testid=open-finding-form]")
    supervisor.select_option("#id_finding-kind", "conditions")
    supervisor.select_option("#id_finding-staff", index=1)
    supervisor.fill("#id_finding-evidence", "录像显示窗口要求提供服务指南以外的材料")
    supervisor.click("[data-testid=save-finding]")
    supervisor.wait_for_selector("[data-testid=finding-state]")
    finding = Finding.objects.get(case=reopened)
    assert finding.staff is not None
    supervisor.goto(f"{base}/accountability/staff/{finding.staff.pk}/")
    assert supervisor.inner_text("[data-testid=findings-counting]") == str(
        Finding.objects.filter(staff=finding.staff, state__in=("recorded", "upheld")).count()
    )
    assert reopened.number in supervisor.inner_text("[data-testid=staff-findings]")
    shot(supervisor, "staff-record")
