"""The supervision sweep: due soon, overdue, one 督办 per late clock, however often it runs."""

from __future__ import annotations

import time_machine

from doudi.accounts.actions import user_create
from doudi.accounts.roles import Role
from doudi.conftest import Org, Personas, at
from doudi.deadlines.actions import sweep
from doudi.deadlines.models import Clock, ClockKind, Supervision
from doudi.directory.models import Staff
from doudi.notify.models import Notification
from doudi.workorders import actions
from doudi.workorders.models import WorkOrder


def test_the_sweep_flags_a_late_sign_for_once(
    dispatched, org: Org, people: Personas, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    head = user_create(
        actor=None,
        username="head_x",
        password="test-password-2026",
        role=Role.LEADER,
        scope_department=org.dept_x,
        staff=Staff.objects.create(
            employee_no="H1", name="部门负责人", department=org.dept_x, phone="13700001111"
        ),
    )
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    sign = Clock.objects.get(work_order=order, kind=ClockKind.SIGN)

    with time_machine.travel(at("2026-02-13 08:00"), tick=False):
        result = sweep()
    sign.refresh_from_db()
    assert (result.due_soon, result.overdue, sign.state) == (1, 0, "due_soon")

    # Saturday 2026-02-14 is a make-up working day; the sign-for was due by the end of Friday.
    with (
        time_machine.travel(at("2026-02-14 09:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = sweep()
        second = sweep()
    sign.refresh_from_db()
    assert sign.state == "overdue"
    assert (first.overdue, first.supervisions) == (1, 1)
    assert (second.overdue, second.supervisions) == (0, 0)
    item = Supervision.objects.get()
    assert (item.work_order, item.department) == (order, org.dept_x)
    notice = Notification.objects.get(template="supervision_raised")
    assert order.number in notice.body
    assert head.staff is not None

    # Signed late: the clock records how late, and the supervision is resolved.
    with time_machine.travel(at("2026-02-24 10:00"), tick=False):
        actions.work_order_sign(actor=people.handler_x, work_order_id=order.pk)
    sign.refresh_from_db()
    item.refresh_from_db()
    assert (sign.state, sign.late_working_days) == ("met", 2)  # late by 02-14 and 02-24
    assert item.resolved_at is not None


def test_the_overdue_board_counts_per_department(client_for, dispatched, people: Personas) -> None:
    dispatched(departments=("X",))
    with time_machine.travel(at("2026-02-14 09:00"), tick=False):
        sweep()
    html = client_for(people.supervisor_a).get("/workorders/supervision/").content.decode()
    assert "区人社局" in html
    assert 'data-testid="overdue-board"' in html
    # A handler of another department sees none of it.
    assert (
        "区人社局"
        not in client_for(people.handler_y).get("/workorders/supervision/").content.decode()
    )


def test_a_provisional_deadline_is_recomputed_when_its_year_is_imported(
    org: Org, people: Personas, general_cause, django_capture_on_commit_callbacks
) -> None:
    from doudi.cases.actions import Intake, case_register, case_send_to_triage
    from doudi.triage.actions import triage_case, work_orders_issue
    from doudi.workcal.actions import calendar_import

    with time_machine.travel(at("2026-12-29 10:00"), tick=False):
        case = case_register(
            actor=people.clerk_a,
            intake=Intake(centre=org.centre_a, channel="window", title="跨年案件", description="d"),
        )
        case_send_to_triage(actor=people.clerk_a, case_id=case.pk)
        triage_case(
            actor=people.taskforce_a,
            case_id=case.pk,
            cause=general_cause,
            tier="general",
            departments=[org.dept_x],
        )
        work_orders_issue(actor=people.taskforce_a, case_ids=[case.pk])
    order = WorkOrder.objects.get(case=case)
    # 2027 has no arrangement yet: 12-30, 12-31, then 2027-01-01 is New Year's Day (statutory),
    # so 01-04, 01-05, 01-06 finish the five working days: provisional.
    assert order.answer_due_provisional
    assert order.answer_due.date().isoformat() == "2027-01-06"
    # The (example) arrangement for 2027 makes Saturday 2027-01-02 a make-up working day.
    example = "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-02,makeup,元旦调休\n"
    with django_capture_on_commit_callbacks(execute=True):
        report = calendar_import(actor=None, content=example.encode(), file_format="csv")
    assert report.applied, report.errors
    order.refresh_from_db()
    assert not order.answer_due_provisional
    assert order.answer_due.date().isoformat() == "2027-01-05"
    clock = Clock.objects.get(work_order=order, kind=ClockKind.ANSWER)
    assert (clock.provisional, clock.due_at) == (False, order.answer_due)


def test_a_page_shows_a_clock_as_it_is_now_before_the_sweep_has_run(dispatched) -> None:
    case = dispatched(departments=("X",))
    sign = Clock.objects.get(case=case, kind=ClockKind.SIGN)
    assert sign.state == "on_time"
    with time_machine.travel(at("2026-02-13 08:00"), tick=False):
        assert (sign.state_now, sign.state_now_label) == ("due_soon", "即将到期")
    with time_machine.travel(at("2026-02-14 09:00"), tick=False):
        assert (sign.state_now, sign.state_now_label) == ("overdue", "已逾期")
        sign.state = "met"  # a stopped clock is what it was stopped as
        assert sign.state_now == "met"
    sign.state = "on_time"
    with time_machine.travel(at("2026-02-12 16:00"), tick=False):
        assert sign.state_now == "on_time"
        sign.state = "overdue"  # a later stored state stands, though the times say less
        assert sign.state_now == "overdue"
