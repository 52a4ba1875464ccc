"""Work orders through their actions and URLs, on the official 2026 calendar."""

from __future__ import annotations

import re

import pytest
import time_machine

from doudi.cases.models import CaseEvent
from doudi.conftest import Personas, at
from doudi.deadlines.models import Clock, ClockKind
from doudi.notify.models import Notification
from doudi.workorders import actions
from doudi.workorders.models import WorkOrder, WorkOrderEvent


def local(value) -> str:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def test_issuing_opens_one_work_order_per_department_with_its_clocks(dispatched) -> None:
    case = dispatched()
    assert case.state == "dispatched"
    lead, co = WorkOrder.objects.filter(case=case).order_by("pk")
    assert (lead.role, lead.department.code, lead.state) == ("lead", "X", "issued")
    assert (co.role, co.department.code, co.state) == ("co", "Y", "issued")
    assert lead.number == f"{case.number}-1"
    sign = Clock.objects.get(work_order=lead, kind=ClockKind.SIGN)
    answer = Clock.objects.get(work_order=lead, kind=ClockKind.ANSWER)
    # Issued Thursday 2026-02-12: sign-for by the end of Friday the 13th; the general tier's
    # 5 working days from registration end on 2026-02-26 (02-14 is a make-up Saturday).
    assert local(sign.due_at) == "2026-02-13 23:59"
    assert local(answer.due_at) == "2026-02-26 23:59"
    assert not answer.provisional
    triage_clock = Clock.objects.get(case=case, kind=ClockKind.TRIAGE)
    assert local(triage_clock.due_at) == "2026-02-13 12:00"
    assert triage_clock.state == "met"
    assert triage_clock.late_working_days == 0
    notice = Notification.objects.get(case_id=case.pk, template="case_dispatched", channel="sms")
    assert "2026年2月26日" in notice.body


def test_sequential_work_orders_open_one_after_another(dispatched, people: Personas) -> None:
    case = dispatched(mode="sequence")
    first, second = WorkOrder.objects.filter(case=case).order_by("step")
    assert (first.state, second.state) == ("issued", "waiting")
    actions.work_order_sign(actor=people.handler_x, work_order_id=first.pk)
    actions.work_order_submit(
        actor=people.handler_x, work_order_id=first.pk, result_kind="solved", result="已受理"
    )
    second.refresh_from_db()
    assert second.state == "issued"
    assert Clock.objects.filter(work_order=second, kind=ClockKind.SIGN).exists()


def test_sign_submit_review_answer(dispatched, people: Personas) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    with time_machine.travel(at("2026-02-13 09:00"), tick=False):
        actions.work_order_sign(
            actor=people.handler_x, work_order_id=order.pk, version=order.version
        )
    case.refresh_from_db()
    assert case.state == "in_progress"
    with time_machine.travel(at("2026-02-24 10:00"), tick=False):
        actions.work_order_submit(
            actor=people.handler_x,
            work_order_id=order.pk,
            result_kind="solved",
            result="以市场监管部门注销证明替代原单位证明，已完成参保登记",
        )
    case.refresh_from_db()
    assert case.state == "review"
    answer = Clock.objects.get(work_order=order, kind=ClockKind.ANSWER)
    assert (answer.state, answer.late_working_days) == ("met", 0)
    with time_machine.travel(at("2026-02-24 15:00"), tick=False):
        actions.case_review(actor=people.taskforce_a, case_id=case.pk, accept=True)
    case.refresh_from_db()
    assert case.state == "answered"
    assert "注销证明" in case.outcome
    visit = Clock.objects.get(case=case, kind=ClockKind.VISIT)
    assert local(visit.due_at) == "2026-02-27 23:59"  # 3 working days after the answer
    assert Notification.objects.filter(case_id=case.pk, template="case_answered").exists()
    kinds = list(WorkOrderEvent.objects.filter(work_order=order).values_list("kind", flat=True))
    assert kinds == ["issue", "sign", "submit", "accept"]


def test_a_no_needs_its_legal_basis(dispatched, people: Personas) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    actions.work_order_sign(actor=people.handler_x, work_order_id=order.pk)
    with pytest.raises(actions.DomainError, match="依据"):
        actions.work_order_submit(
            actor=people.handler_x,
            work_order_id=order.pk,
            result_kind="not_possible",
            result="不能办",
        )
    order.refresh_from_db()
    assert order.state == "signed"


def test_rework_is_counted_and_restarts_the_answer_clock(dispatched, people: Personas) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    actions.work_order_sign(actor=people.handler_x, work_order_id=order.pk)
    actions.work_order_submit(
        actor=people.handler_x, work_order_id=order.pk, result_kind="solved", result="已办"
    )
    with pytest.raises(actions.DomainError):
        actions.case_review(actor=people.taskforce_a, case_id=case.pk, accept=False)
    actions.case_review(
        actor=people.taskforce_a, case_id=case.pk, accept=False, reason="未说明替代材料"
    )
    order.refresh_from_db()
    case.refresh_from_db()
    assert (order.state, order.rework_count, case.state) == ("signed", 1, "in_progress")
    assert (
        Clock.objects.filter(work_order=order, kind=ClockKind.ANSWER, state="on_time").count() == 1
    )


def test_a_dispute_goes_back_to_the_task_force_and_is_reassigned(
    dispatched, org, people: Personas
) -> None:
    case = dispatched(departments=("Y",))
    order = WorkOrder.objects.get(case=case)
    with pytest.raises(actions.DomainError):
        actions.work_order_dispute(actor=people.handler_y, work_order_id=order.pk, reason=" ")
    actions.work_order_dispute(
        actor=people.handler_y, work_order_id=order.pk, reason="属人社部门职责"
    )
    order.refresh_from_db()
    assert order.state == "disputed"
    assert not Clock.objects.filter(work_order=order, state__in=["on_time", "due_soon"]).exists()
    new = actions.work_order_reassign(
        actor=people.taskforce_a, work_order_id=order.pk, department=org.dept_x
    )
    assert (new.department, new.state, new.role) == (org.dept_x, "issued", "lead")
    order.refresh_from_db()
    assert (order.state, order.reassigned_to) == ("reassigned", new)
    assert CaseEvent.objects.filter(case=case, kind="work_order_disputed").count() == 1


def test_a_stale_form_gets_a_conflict_message(dispatched, people: Personas) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    stale = order.version
    actions.work_order_sign(actor=people.handler_x, work_order_id=order.pk, version=stale)
    with pytest.raises(actions.ConflictError, match="刚被他人处理过"):
        actions.work_order_dispute(
            actor=people.handler_x, work_order_id=order.pk, reason="x", version=stale
        )


def test_an_extension_must_be_asked_before_the_deadline(dispatched, people: Personas) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    actions.work_order_sign(actor=people.handler_x, work_order_id=order.pk)
    with (
        time_machine.travel(at("2026-02-27 09:00"), tick=False),
        pytest.raises(actions.DomainError, match="已超过办理期限"),
    ):
        actions.work_order_request_extension(
            actor=people.handler_x, work_order_id=order.pk, working_days=3, reason="需调档"
        )
    with time_machine.travel(at("2026-02-25 09:00"), tick=False):
        extension = actions.work_order_request_extension(
            actor=people.handler_x,
            work_order_id=order.pk,
            working_days=3,
            reason="需调取历史档案。",
        )
        assert local(extension.new_due) == "2026-03-02 23:59"  # 02-28 is a make-up Saturday
        actions.work_order_decide_extension(
            actor=people.taskforce_a, extension_id=extension.pk, approve=True
        )
    order.refresh_from_db()
    assert local(order.answer_due) == "2026-03-02 23:59"
    notice = Notification.objects.get(case_id=case.pk, template="case_extended", channel="sms")
    assert "2026年3月2日" in notice.body
    assert "因需调取历史档案，答复期限延至" in notice.body  # the reason's own 。 left out


def test_withdrawing_the_case_cancels_its_work_orders_and_clocks(
    dispatched, people: Personas
) -> None:
    from doudi.cases.actions import case_withdraw

    case = dispatched()
    case_withdraw(actor=people.clerk_a, case_id=case.pk, reason="反映人已自行解决")
    assert set(WorkOrder.objects.filter(case=case).values_list("state", flat=True)) == {"cancelled"}
    assert not Clock.objects.filter(
        case=case, state__in=["on_time", "due_soon", "overdue"]
    ).exists()


def test_another_department_s_work_order_is_404(client_for, dispatched, people: Personas) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    client = client_for(people.handler_y)
    assert client.get(f"/workorders/{order.pk}/").status_code == 404
    response = client.post(f"/workorders/{order.pk}/act/sign/", {"version": order.version})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.state == "issued"


def test_the_handler_signs_and_submits_through_the_page(
    client_for, dispatched, people: Personas
) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    client = client_for(people.handler_x)
    inbox = client.get("/workorders/").content.decode()
    assert order.number in inbox
    client.post(f"/workorders/{order.pk}/act/sign/", {"version": order.version})
    order.refresh_from_db()
    assert order.state == "signed"
    response = client.post(
        f"/workorders/{order.pk}/act/submit/",
        {
            "version": order.version,
            "result_kind": "not_possible",
            "result": "经核查，申请人不符合条件，已电话说明",
            "legal_basis": "",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "法律或政策依据" in html
    # What was typed is on the page again, once: the next visit shows an empty form.
    assert "经核查，申请人不符合条件，已电话说明</textarea>" in html
    assert re.search(r'value="not_possible"[^>]* checked', html)
    order.refresh_from_db()
    assert order.state == "signed"
    assert "经核查" not in client.get(f"/workorders/{order.pk}/").content.decode()
    # A field's own error: shown at the field too.
    response = client.post(
        f"/workorders/{order.pk}/act/extension/",
        {"working_days": "99", "reason": "需要外省协查"},
        follow=True,
    )
    html = response.content.decode()
    assert 'value="99"' in html
    assert "需要外省协查" in html
    assert html.count("不能大于 20") == 2  # the message at the top, and at the field


def test_the_paper_work_order_prints_and_makes_a_pdf(
    client_for, dispatched, people: Personas
) -> None:
    case = dispatched(departments=("X",))
    order = WorkOrder.objects.get(case=case)
    client = client_for(people.taskforce_a)
    html = client.get(f"/workorders/{order.pk}/print/").content.decode()
    assert "问题工作单" in html
    assert "2026年02月26日" in html
    assert "签收人" in html
    pdf = client.get(f"/workorders/{order.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
