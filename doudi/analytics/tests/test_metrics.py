"""Every metric of docs/metrics.md on a hand-made month: March 2026 at centre A.

The month (working days per the official 2026 calendar):
- C1 window, 1 visit, 03-02 10:00: resolved on the spot.
- C2 online, 3 visits, 03-03 10:00: triaged to X (general, 5 days: due 03-10), issued 03-03
  16:00; X signs 03-04 09:00 (sign due 03-04: on time) and calls the reporter; submits 03-09;
  accepted 03-09 15:00 (4 working days after 03-03); the return visit 03-10: solved, 满意.
- C3 hotline, 2 visits, 03-04 10:00: triaged to Y, issued 03-04 16:00; Y disputes 03-05.
- C4 window, 1 visit, 03-05 10:00: triaged to X, issued 03-05 16:00; X signs late on 03-09
  (due 03-06), never calls; submits 03-20 (due 03-12: late); accepted 03-20 15:00 (11 working
  days after 03-05); the return visit 03-23: unsolved, 不满意 → reopened.
- A window rating of 03-05: 满意; a window rating of 03-06: 非常不满意 → rectification case
  C5 (channel 差评, registered 03-06 in triage).
- C0 registered 02-20: outside the month.
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client

from doudi.analytics import rollup
from doudi.analytics.selectors import Filters, drill_cases, metrics, overdue_list
from doudi.cases.actions import (
    Intake,
    Reporter,
    case_register,
    case_resolve_on_spot,
    case_send_to_triage,
)
from doudi.cases.models import Case
from doudi.conftest import Org, Personas, at
from doudi.deadlines.models import Clock
from doudi.feedback.actions import Scores, rating_submit, visit_conclude
from doudi.feedback.models import ReturnVisit
from doudi.lib.periods import Period
from doudi.triage.actions import triage_case, work_orders_issue
from doudi.triage.models import Cause
from doudi.workorders.actions import (
    case_review,
    work_order_contact,
    work_order_dispute,
    work_order_sign,
    work_order_submit,
)
from doudi.workorders.models import WorkOrder

MARCH = Period(date(2026, 3, 1), date(2026, 4, 1))


def register(org: Org, people: Personas, when: str, channel: str, visits: int, title: str) -> Case:
    with time_machine.travel(at(when), tick=False):
        return case_register(
            actor=people.clerk_a,
            intake=Intake(
                centre=org.centre_a,
                channel=channel,
                title=title,
                description="经过",
                visits=visits,
                reporter=Reporter(name="钱多多", phone="13800002222"),
                service_item=org.item_x,
            ),
        )


def dispatch(case: Case, dept, cause: Cause, people: Personas, day: str) -> WorkOrder:  # type: ignore[no-untyped-def]
    with time_machine.travel(at(f"{day} 11:00"), tick=False):
        case_send_to_triage(actor=people.clerk_a, case_id=case.pk)
        triage_case(
            actor=people.taskforce_a, case_id=case.pk, cause=cause, tier="general",
            departments=[dept],
        )  # fmt: skip
    with time_machine.travel(at(f"{day} 16:00"), tick=False):
        work_orders_issue(actor=people.taskforce_a, case_ids=[case.pk])
    return WorkOrder.objects.get(case=case)


def answer(order: WorkOrder, people: Personas, handler, submitted: str, accepted: str) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(at(submitted), tick=False):
        work_order_submit(
            actor=handler, work_order_id=order.pk, result_kind="solved", result="已办结"
        )
    with time_machine.travel(at(accepted), tick=False):
        case_review(actor=people.taskforce_a, case_id=order.case_id, accept=True)


@pytest.fixture
def march(org: Org, people: Personas, general_cause: Cause) -> dict[str, Case]:
    register(org, people, "2026-02-20 10:00", "window", 1, "C0")
    c1 = register(org, people, "2026-03-02 10:00", "window", 1, "C1")
    with time_machine.travel(at("2026-03-02 10:30"), tick=False):
        case_resolve_on_spot(actor=people.clerk_a, case_id=c1.pk, result="当场办好")
    c2 = register(org, people, "2026-03-03 10:00", "online", 3, "C2")
    o2 = dispatch(c2, org.dept_x, general_cause, people, "2026-03-03")
    with time_machine.travel(at("2026-03-04 09:00"), tick=False):
        work_order_sign(actor=people.handler_x, work_order_id=o2.pk)
        work_order_contact(
            actor=people.handler_x, work_order_id=o2.pk, method="phone", reached=True
        )
    answer(o2, people, people.handler_x, "2026-03-09 10:00", "2026-03-09 15:00")
    with time_machine.travel(at("2026-03-10 10:00"), tick=False):
        visit_conclude(
            actor=people.supervisor_a,
            visit_id=ReturnVisit.objects.get(case=c2).pk,
            solved=True,
            scores=Scores(level=4),
        )
    c3 = register(org, people, "2026-03-04 10:00", "hotline", 2, "C3")
    o3 = dispatch(c3, org.dept_y, general_cause, people, "2026-03-04")
    with time_machine.travel(at("2026-03-05 09:00"), tick=False):
        work_order_dispute(actor=people.handler_y, work_order_id=o3.pk, reason="不属本部门")
    c4 = register(org, people, "2026-03-05 10:00", "window", 1, "C4")
    o4 = dispatch(c4, org.dept_x, general_cause, people, "2026-03-05")
    with time_machine.travel(at("2026-03-09 09:00"), tick=False):
        work_order_sign(actor=people.handler_x, work_order_id=o4.pk)
    answer(o4, people, people.handler_x, "2026-03-20 10:00", "2026-03-20 15:00")
    with time_machine.travel(at("2026-03-23 10:00"), tick=False):
        visit_conclude(
            actor=people.supervisor_a,
            visit_id=ReturnVisit.objects.get(case=c4).pk,
            solved=False,
            scores=Scores(level=2),
        )
    with time_machine.travel(at("2026-03-05 11:00"), tick=False):
        rating_submit(window=org.window_a_x, event_key="t1", scores=Scores(level=4))
    with time_machine.travel(at("2026-03-06 11:00"), tick=False):
        bad = rating_submit(window=org.window_a_x, event_key="t2", scores=Scores(level=1))
    assert bad.rectification is not None
    return {"c1": c1, "c2": c2, "c3": c3, "c4": c4, "c5": bad.rectification}


def test_every_metric_matches_the_hand_count(march: dict[str, Case], people: Personas) -> None:
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        figures = metrics(people.leader_a, Filters(period=MARCH))
    values = {key: (m.value, m.numerator, m.denominator) for key, m in figures.items()}
    assert values["received"][0] == 5  # C1..C4 and the rectification case C5; not C0
    assert values["open"][0] == 3  # C3 (disputed), C4 (reopened), C5 (triage)
    assert values["closed"][0] == 2  # C1 on the spot, C2 closed after its visit
    # Sign-for due in March: C2 (signed on time, called) and C4 (signed late); C3's clock
    # ended with its dispute, which the dispute rate counts: one in time out of two.
    assert values["response_rate"] == (0.5, 1, 2)
    assert values["solved_rate"] == (0.5, 1, 2)  # C2 solved, C4 not
    # Ratings in March: the two window ratings and the two return-visit ratings (4, 2):
    # 满意 (window), 满意 (C2); 非常不满意 (window), 不满意 (C4).
    assert values["satisfied_rate"] == (0.5, 2, 4)
    assert values["on_time_rate"] == (0.5, 1, 2)  # C2's answer in time, C4's late
    assert values["on_the_spot_rate"] == (0.2, 1, 5)
    assert values["reopen_rate"] == (0.5, 1, 2)
    assert values["dispute_rate"] == (0.3333, 1, 3)  # three work orders issued, C3 disputed
    assert values["answer_days"] == (7.5, 2, 2)  # C2: 4 working days, C4: 11
    assert values["visits"] == (1.6, 5, 5)  # (1 + 3 + 2 + 1 + 1) / 5
    assert values["bad_review_fixed_rate"] == (None, 0, 0)  # C5 not fixed yet
    assert values["provisional"][0] == 0


def test_a_department_leader_sees_its_own_work(march: dict[str, Case], people: Personas) -> None:
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        figures = metrics(people.leader_x, Filters(period=MARCH))
    # Department X sees the cases about its service items (all five are item X's) and its
    # own work orders: C2 and C4 signed, one in time.
    assert figures["response_rate"].denominator == 2
    assert figures["response_rate"].numerator == 1


def test_the_numbers_drill_down_to_their_cases(march: dict[str, Case], people: Personas) -> None:
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        filters = Filters(period=MARCH)
        late = drill_cases(people.leader_a, filters, "on_time_rate", "den")
        on_time = drill_cases(people.leader_a, filters, "on_time_rate", "num")
        spot = drill_cases(people.leader_a, filters, "on_the_spot_rate", "num")
    assert {c.title for c in late} == {"C2", "C4"}
    assert {c.title for c in on_time} == {"C2"}
    assert {c.title for c in spot} == {"C1"}


def test_the_dashboard_page_shows_the_figures_and_links_them(
    march: dict[str, Case], people: Personas, client_for, django_assert_max_num_queries
) -> None:
    client = client_for(people.leader_a)
    query = "preset=custom&start=2026-03-01&end=2026-03-31"
    rollup.apply_marks()  # what the month's actions changed (the first read would apply it)
    with django_assert_max_num_queries(45):
        response = client.get(f"/analytics/?{query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="metric-received"' in html
    assert "20.0%" in html  # the on-the-spot rate
    drill = client.get(f"/analytics/cases/?{query}&metric=on_the_spot_rate&side=num")
    assert march["c1"].number in drill.content.decode()
    assert march["c2"].number not in drill.content.decode()


def test_the_dashboard_is_for_roles_with_figures_only(people: Personas, client_for) -> None:
    assert client_for(people.clerk_a).get("/analytics/").status_code == 404
    assert client_for(people.handler_x).get("/analytics/").status_code == 404
    assert Client().get("/analytics/").status_code == 302
    assert client_for(people.leader_a).get("/analytics/cases/?metric=nope").status_code == 404
    # Window ratings are not cases: that figure has no drill-down (not a server error).
    drill = "/analytics/cases/?metric=satisfied_rate&side=num"
    assert client_for(people.leader_a).get(drill).status_code == 404


def test_a_bad_period_gets_a_message(people: Personas, client_for) -> None:
    html = (
        client_for(people.leader_a)
        .get("/analytics/?preset=custom&start=2026-03-31&end=2026-03-01")
        .content.decode()
    )
    assert "结束日期不能早于开始日期" in html


def test_a_centre_leader_does_not_see_another_centre(
    march: dict[str, Case], people: Personas, org: Org
) -> None:
    with time_machine.travel(at("2026-03-11 10:00"), tick=False):
        case_register(
            actor=people.clerk_b,
            intake=Intake(centre=org.centre_b, channel="window", title="乙", description="x"),
        )
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        centre_a = metrics(people.leader_a, Filters(period=MARCH))["received"].value
        everyone = metrics(people.admin, Filters(period=MARCH))["received"].value
        only_b = metrics(people.admin, Filters(period=MARCH, centre=org.centre_b))["received"]
    assert (centre_a, everyone, only_b.value) == (5, 6, 1)


def test_the_combined_queries_agree_with_each_figure_s_own_rows(
    march: dict[str, Case], people: Personas, org: Org
) -> None:
    from doudi.analytics.selectors import SPECS, metric

    for user, filters in (
        (people.leader_a, Filters(period=MARCH)),
        (people.leader_x, Filters(period=MARCH)),
        (people.admin, Filters(period=MARCH, department=org.dept_x)),
        (people.admin, Filters(period=MARCH, channel="window")),
    ):
        with time_machine.travel(at("2026-04-01 09:00"), tick=False):
            combined = metrics(user, filters)
            for spec in SPECS:
                assert combined[spec.key] == metric(user, filters, spec), (user, spec.key)


def test_rankings_need_a_sample_and_name_model_windows(
    march: dict[str, Case], people: Personas, org: Org, client_for
) -> None:
    from doudi.analytics.models import ModelWindowCriteria
    from doudi.analytics.selectors import department_ranking, window_ranking

    ModelWindowCriteria.objects.create(
        min_ratings=2, min_satisfaction="0.40", max_cases_per_100=500, max_findings=0, min_sample=2
    )
    with time_machine.travel(at("2026-03-07 09:00"), tick=False):
        rating_submit(window=org.window_a_y, event_key="t3", scores=Scores(level=5))
        # A street centre's window that nobody rated, named by a case.
        case_register(
            actor=people.clerk_a,
            intake=Intake(
                centre=org.centre_a1,
                channel="window",
                title="街道窗口要求另开证明",
                description="办低保时被要求开具无房证明。",
                windows=[org.window_a1_x1],
            ),
        )
    with time_machine.travel(at("2026-04-01 09:00"), tick=False):
        filters = Filters(period=MARCH)
        windows = {row.code: row for row in window_ranking(people.leader_a, filters)}
        departments = {row.name: row for row in department_ranking(people.leader_a, filters)}
    # Window A-01: two ratings (满意, 非常不满意): 50%, a model window at a 40% bar.
    first = windows[org.window_a_x.code]
    assert (first.ratings, first.satisfied, first.rate, first.model) == (2, 1, 0.5, True)
    # Window A-02: one rating, below the sample of two: not ranked, no rate.
    second = windows[org.window_a_y.code]
    assert (second.qualified, second.rate, second.model) == (False, None, False)
    # The unrated window is listed with its case, unranked: "the windows with most cases".
    street = windows[org.window_a1_x1.code]
    assert (street.ratings, street.cases, street.qualified, street.rate) == (0, 1, False, None)
    # Department X answered two work orders in March, one in time; Y none (it disputed).
    x = departments["区人社局"]
    assert (x.answered, x.on_time, x.on_time_rate) == (2, 1, 0.5)
    y = departments["区市场监管局"]
    assert (y.issued, y.disputed, y.qualified) == (1, 1, False)
    html = (
        client_for(people.leader_a)
        .get("/analytics/rankings/?preset=custom&start=2026-03-01&end=2026-03-31")
        .content.decode()
    )
    assert 'data-testid="model-window"' in html
    assert "样本不足" in html
    assert "满意率不低于 40%" in html  # the bar of 0.40, as people read it
    most = html[html.index('data-testid="most-cases"') :]
    assert org.window_a1_x1.code in most[: most.index("</ul>")]


def test_a_department_s_overdue_clocks_are_its_own_work_orders(
    dispatched, people: Personas
) -> None:
    from doudi.deadlines.actions import sweep

    case = dispatched(departments=("X", "Y"))  # a sign-for clock at each department
    with time_machine.travel(at("2026-02-14 09:00"), tick=False):
        sweep()
        centre = metrics(people.leader_a, Filters(period=MARCH))["overdue_now"].value
        own = metrics(people.leader_x, Filters(period=MARCH))["overdue_now"].value
        listed = overdue_list(people.leader_x, Filters(period=MARCH))
    late = Clock.objects.filter(case=case, state="overdue")
    assert late.count() == 2
    assert centre == 2
    # Department X reads the case (its service item), but Y's late sign-for is not X's.
    assert own == 1
    assert [c.work_order.department.code for c in listed] == ["X"]
