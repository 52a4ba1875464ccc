"""Triage and batch issue through the task force's workspace."""

from __future__ import annotations

import pytest
import time_machine

from doudi.cases.actions import Intake, Reporter, case_register, case_send_to_triage
from doudi.cases.models import Case, CaseEvent
from doudi.cases.workflow import DomainError
from doudi.conftest import Org, Personas, at
from doudi.deadlines.models import Clock, ClockKind
from doudi.triage.actions import daily_summary_make, triage_case, work_orders_issue
from doudi.triage.models import Cause, RoutingSuggestion, TierPolicy
from doudi.triage.selectors import tier_days
from doudi.workorders.models import WorkOrder


@pytest.fixture
def in_triage(org: Org, people: Personas):  # type: ignore[no-untyped-def]
    def make(title: str = "不动产登记多次退件") -> Case:
        case = case_register(
            actor=people.clerk_a,
            intake=Intake(
                centre=org.centre_a,
                channel="window",
                title=title,
                description="材料齐全仍被退回。",
                reporter=Reporter(name="钱七", phone="13900002222"),
                service_item=org.item_x,
            ),
        )
        case_send_to_triage(actor=people.clerk_a, case_id=case.pk)
        return case

    return make


def test_the_default_taxonomy_is_there(db: None) -> None:
    top = set(Cause.objects.filter(parent=None).values_list("name", flat=True))
    assert {"很难办", "不给办", "不属于受理范围", "其他"} <= top
    assert Cause.objects.get(code="HARD-MULTI").parent.code == "HARD"


def test_sending_to_triage_starts_the_noon_clock(org: Org, people: Personas) -> None:
    with time_machine.travel(at("2026-02-13 16:00"), tick=False):
        case = case_register(
            actor=people.clerk_a,
            intake=Intake(centre=org.centre_a, channel="window", title="t", description="d"),
        )
        case_send_to_triage(actor=people.clerk_a, case_id=case.pk)
    clock = Clock.objects.get(case=case, kind=ClockKind.TRIAGE)
    # Friday 02-13: the next working day is the make-up Saturday 02-14.
    assert clock.due_at.isoformat().startswith("2026-02-14T04:00")  # 12:00 in Beijing


def test_triage_refuses_bad_choices_and_changes_nothing(
    in_triage, org: Org, people: Personas
) -> None:
    case = in_triage()
    cause = Cause.objects.get(code="HARD-MULTI")
    with pytest.raises(DomainError, match="承办部门"):
        triage_case(
            actor=people.taskforce_a, case_id=case.pk, cause=cause, tier="complex", departments=[]
        )
    with pytest.raises(DomainError, match="二级原因"):
        triage_case(
            actor=people.taskforce_a,
            case_id=case.pk,
            cause=Cause.objects.get(code="HARD"),
            tier="complex",
            departments=[org.dept_x],
        )
    assert (
        not hasattr(Case.objects.get(pk=case.pk), "triage")
        or not Case.objects.filter(pk=case.pk, triage__isnull=False).exists()
    )


def test_a_centre_may_set_its_own_tier_days(org: Org) -> None:
    assert tier_days(org.centre_a1, "general") == 5
    TierPolicy.objects.create(centre=org.centre_a, tier="general", working_days=4)
    assert tier_days(org.centre_a1, "general") == 4  # inherited from the district
    TierPolicy.objects.create(centre=org.centre_a1, tier="general", working_days=3)
    assert tier_days(org.centre_a1, "general") == 3


def test_batch_issue_sends_every_triaged_case(in_triage, org: Org, people: Personas) -> None:
    cause = Cause.objects.get(code="HARD-MULTI")
    cases = [in_triage(f"案件{n}") for n in range(3)]
    for case in cases[:2]:
        triage_case(
            actor=people.taskforce_a,
            case_id=case.pk,
            cause=cause,
            tier="complex",
            departments=[org.dept_x, org.dept_y],
        )
    result = work_orders_issue(actor=people.taskforce_a, case_ids=[c.pk for c in cases])
    assert len(result.issued) == 2
    assert result.work_orders == 4
    assert result.failed == [(cases[2].number, "案件尚未分拣。")]
    assert WorkOrder.objects.count() == 4
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in cases[:2]]).values_list("state", flat=True)
    ) == {"dispatched"}
    assert CaseEvent.objects.filter(kind="dispatch").count() == 2
    again = work_orders_issue(actor=people.taskforce_a, case_ids=[cases[0].pk])
    assert again.issued == []
    assert WorkOrder.objects.count() == 4


def test_the_workspace_is_the_task_force_s(
    client_for, in_triage, org: Org, people: Personas
) -> None:
    case = in_triage()
    assert client_for(people.clerk_a).get("/triage/").status_code == 404
    assert client_for(people.handler_x).get("/triage/").status_code == 404
    client = client_for(people.taskforce_a)
    page = client.get("/triage/").content.decode()
    assert case.number in page
    cause = Cause.objects.get(code="HARD-MATERIALS")
    client.post(
        f"/triage/cases/{case.pk}/",
        {
            f"c{case.pk}-cause": cause.pk,
            f"c{case.pk}-tier": "general",
            f"c{case.pk}-lead": org.dept_x.pk,
            f"c{case.pk}-mode": "parallel",
        },
    )
    client.post("/triage/issue/", {"case": [case.pk]})
    case.refresh_from_db()
    assert case.state == "dispatched"
    order = WorkOrder.objects.get(case=case)
    assert order.department == org.dept_x
    # The triage is on the case's page and on the department's work order.
    for reader, path in (
        (client, f"/cases/{case.pk}/"),
        (client_for(people.handler_x), f"/workorders/{order.pk}/"),
    ):
        html = reader.get(path).content.decode()
        section = html[html.index('data-testid="triage-result"') :]
        assert str(cause) in section[:2000]
        assert "一般（" in section[:2000]
    # The case's clocks name the department whose work order each one times.
    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="clock-sign">区人社局 部门签收' in case_page


def test_a_tier_left_unchosen_is_the_cause_s_own(
    client_for, in_triage, org: Org, people: Personas
) -> None:
    client = client_for(people.taskforce_a)
    refused = Cause.objects.get(code="REFUSED-CONDITIONS")
    assert refused.default_tier == "refused"
    for cause, tier, expected in ((refused, "", "refused"), (refused, "general", "general")):
        case = in_triage()
        # The model had suggested the tier the form falls back to.
        suggestion = RoutingSuggestion.objects.create(
            case=case,
            target="tier",
            rank=1,
            label=expected,
            confidence=0.9,
            made_at=case.registered_at,
        )
        client.post(
            f"/triage/cases/{case.pk}/",
            {
                f"c{case.pk}-cause": cause.pk,
                f"c{case.pk}-tier": tier,
                f"c{case.pk}-lead": org.dept_x.pk,
                f"c{case.pk}-mode": "parallel",
            },
        )
        case.refresh_from_db()
        assert case.triage.tier == expected  # an explicit choice stays the task force's
        # A tier left to the cause's default is not the task force taking the suggestion.
        suggestion.refresh_from_db()
        assert suggestion.chosen is bool(tier)


def test_the_daily_summary_counts_the_day(
    in_triage, org: Org, people: Personas, client_for
) -> None:
    from django.utils import timezone

    case = in_triage()
    triage_case(
        actor=people.taskforce_a,
        case_id=case.pk,
        cause=Cause.objects.get(code="HARD-MATERIALS"),
        tier="general",
        departments=[org.dept_x],
    )
    work_orders_issue(actor=people.taskforce_a, case_ids=[case.pk])
    (summary_a, summary_b) = sorted(
        daily_summary_make(day=timezone.localdate()), key=lambda s: s.centre.code
    )
    assert summary_a.data["cases"] == 1
    assert summary_a.data["work_orders_issued"] == 1
    assert summary_a.data["by_cause"] == [{"name": "材料不全或不清晰", "n": 1}]
    assert summary_b.data["cases"] == 0
    page = client_for(people.taskforce_a).get(f"/triage/daily/{summary_a.pk}/").content.decode()
    assert "材料不全或不清晰" in page
    assert client_for(people.taskforce_a).get(f"/triage/daily/{summary_b.pk}/").status_code == 404


def test_the_workspace_does_not_query_per_case(client_for, in_triage, people: Personas) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    in_triage("第一件")
    client = client_for(people.taskforce_a)
    with CaptureQueriesContext(connection) as one:
        client.get("/triage/")
    for n in range(5):
        in_triage(f"案件{n}")
    with CaptureQueriesContext(connection) as six:
        client.get("/triage/")
    assert len(six) == len(one)
