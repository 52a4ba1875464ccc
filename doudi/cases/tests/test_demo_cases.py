"""The demo cases: a few hundred consistent cases, made through the actions, numbered by day."""

from __future__ import annotations

import re
from collections import Counter

from django.utils import timezone

from doudi.accounts.models import User
from doudi.cases import demo_data
from doudi.cases.actions import Intake, Reporter, case_register
from doudi.cases.models import Case, CaseEvent, CaseNumberCounter
from doudi.core.actions import DemoResult, demo_load
from doudi.deadlines.models import Clock, ClockKind
from doudi.directory import demo_data as directory_data
from doudi.directory.models import Centre
from doudi.lib.idcard import id_number_error
from doudi.lib.uscc import credit_code_error
from doudi.workcal.selectors import work_calendar
from doudi.workorders.models import WorkOrder
from doudi.workorders.selectors import inbox

# The 差评 channel's cases come from the demo ratings (doudi.feedback.demo).
CHANNELS = {"window", "hotline", "online", "qr", "bad_review"}
STATES = {
    "registered",
    "resolved_on_spot",
    "out_of_scope",
    "transferred",
    "triage",
    "dispatched",
    "in_progress",
    "review",
    "answered",
    "closed",
    "withdrawn",
    "merged",
}


def test_the_scenarios_are_realistic_data() -> None:
    items = {code for code, _, _ in directory_data.SERVICE_ITEMS}
    listed = [s for s in demo_data.SCENARIOS if s.item]
    assert len({s.title for s in listed}) >= 40
    for scenario in demo_data.SCENARIOS:
        assert scenario.item in items or (not scenario.item and scenario.matter)
        description = scenario.description.format(trips="两趟", company="示范区和顺商贸有限公司")
        assert 50 <= len(description) <= 200, scenario.title
        assert scenario.request
        assert scenario.text
        if scenario.outcome == demo_data.OUT_OF_SCOPE:
            assert scenario.where


def test_the_demo_has_a_few_hundred_consistent_cases(demo: DemoResult, db: None) -> None:
    cases = list(Case.objects.select_related("centre"))
    assert len(cases) >= 250
    assert {c.centre.code for c in cases} == {code for code, *_ in directory_data.CENTRES}
    assert {c.channel for c in cases} == CHANNELS
    assert {c.state for c in cases} == STATES
    events: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.order_by("at", "id"):
        events.setdefault(event.case_id, []).append(event)
    now = timezone.now()
    for case in cases:
        timeline = events[case.pk]
        assert timeline[0].kind == "register", case.number
        assert timeline[0].at == case.registered_at
        assert timeline[-1].at <= now
        moves = [e for e in timeline if e.to_state]
        assert moves[-1].to_state == case.state, case.number
        assert re.fullmatch(rf"{re.escape(case.centre.code)}-\d{{8}}-\d{{4}}", case.number)
        assert case.number.split("-")[-2] == f"{timezone.localdate(case.registered_at):%Y%m%d}"
        assert (now - case.registered_at).days < 61
        assert 1 <= case.visits <= 4
        if case.reporter_id_number:
            assert id_number_error(case.reporter_id_number) is None
        if case.company_credit_code:
            assert credit_code_error(case.company_credit_code) is None
        if case.state == "merged":
            assert case.merged_into is not None
            assert case.merged_into.phone_hash == case.phone_hash != ""
            assert case.merged_into.service_item_id == case.service_item_id
    assert len({c.number for c in cases}) == len(cases)
    # Today's intake shows on the clerks' home pages.
    today = timezone.localdate()
    today_centres = Counter(
        c.centre.code for c in cases if timezone.localdate(c.registered_at) == today
    )
    assert today_centres["SFQ"]
    assert today_centres["SFQ-HPL"]
    # Each day's counter is at that day's last number.
    per_day = Counter((c.centre_id, timezone.localdate(c.registered_at)) for c in cases)
    counters = {(c.centre_id, c.day): c.last for c in CaseNumberCounter.objects.all()}
    assert counters == per_day


def test_the_demo_cases_sent_to_triage_go_on_through_the_workflow(
    demo: DemoResult, db: None
) -> None:
    for username in ("handler", "handler2"):
        user = User.objects.get(username=username)
        assert inbox(user, "issued").exists(), username
        assert inbox(user, "signed").exists(), username
    answer_clocks = {
        clock.work_order_id: clock
        for clock in Clock.objects.filter(kind=ClockKind.ANSWER).order_by("pk")
    }  # the latest answer clock of each work order (a rework starts a new one)
    orders = list(WorkOrder.objects.select_related("case"))
    assert orders
    for order in orders:
        assert order.answer_due == answer_clocks[order.pk].due_at, order.number
        assert order.case.registered_at < order.issued_at <= timezone.now()
        if order.signed_at:
            assert order.issued_at < order.signed_at
        if order.submitted_at:
            assert order.signed_at
            assert order.signed_at < order.submitted_at
    calendar = work_calendar()
    today = timezone.localdate()
    for case in Case.objects.filter(state="triage"):
        sent = CaseEvent.objects.filter(case=case, to_state="triage").latest("at").at
        assert calendar.working_days_between(timezone.localdate(sent), today) <= 3, case.number


def test_loading_again_adds_no_case_and_today_continues_its_sequence(
    demo: DemoResult, db: None
) -> None:
    count = Case.objects.count()

    assert demo_load().created == 0
    assert Case.objects.count() == count

    centre = Centre.objects.get(code="SFQ")
    today = timezone.localdate()
    prefix = f"SFQ-{today:%Y%m%d}-"
    taken = Case.objects.filter(number__startswith=prefix).count()
    case = case_register(
        actor=User.objects.get(username="clerk"),
        intake=Intake(
            centre=centre,
            channel="window",
            title="演示数据之后的新登记",
            description="在演示数据载入之后，当天再登记一件，编号应接着当天的顺序。",
            reporter=Reporter(name="测试人", phone="13800009999"),
        ),
    )
    assert case.number == f"{prefix}{taken + 1:04d}"
