"""Routing suggestions in the triage workspace: the rule fallback, models learnt from the settled
cases, the task force's choice kept, the nightly retraining and the sweep for missing ones."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doudi.cases.actions import Intake, Reporter, case_register, case_send_to_triage
from doudi.cases.models import Case
from doudi.conftest import Org, Personas
from doudi.directory.models import Department
from doudi.triage import routing
from doudi.triage.actions import (
    routing_retrain_if_due,
    routing_suggest,
    routing_train,
    triage_case,
    work_orders_issue,
)
from doudi.triage.models import Cause, RoutingModel, RoutingSuggestion
from doudi.triage.selectors import cases_without_suggestions
from doudi.workorders.actions import case_review, work_order_sign, work_order_submit
from doudi.workorders.models import WorkOrder

PENSION = ("养老保险", "社保卡", "失业金", "退休工资")
LICENCE = ("营业执照", "个体工商户", "食品经营许可", "企业名称")


@pytest.fixture(autouse=True)
def _fresh_models() -> None:
    routing.models_in_use.clear()  # a version cached by another test's database is gone


def register(org: Org, people: Personas, title: str, body: str, item=None) -> Case:  # type: ignore[no-untyped-def]
    case = case_register(
        actor=people.clerk_a,
        intake=Intake(
            centre=org.centre_a,
            channel="window",
            title=title,
            description=body,
            reporter=Reporter(name="钱七", phone="13900002222"),
            service_item=item,
        ),
    )
    case_send_to_triage(actor=people.clerk_a, case_id=case.pk)
    return case


def settle(org: Org, people: Personas, n: int) -> None:
    """``n`` cases about pensions answered by X (材料) and ``n`` about licences answered by Y
    (多部门, complex), through the actions."""
    materials, multi = (
        Cause.objects.get(code="HARD-MATERIALS"),
        Cause.objects.get(code="HARD-MULTI"),
    )
    for i in range(n):
        for words, department, cause, tier, handler in (
            (PENSION, org.dept_x, materials, "general", people.handler_x),
            (LICENCE, org.dept_y, multi, "complex", people.handler_y),
        ):
            a, b = words[i % 4], words[(i + 1) % 4]
            case = register(org, people, f"办理{a}被退回", f"{a}和{b}的材料已交，窗口仍要证明。")
            triage_case(
                actor=people.taskforce_a,
                case_id=case.pk,
                cause=cause,
                tier=tier,
                departments=[department],
            )
            work_orders_issue(actor=people.taskforce_a, case_ids=[case.pk])
            order = WorkOrder.objects.get(case=case)
            work_order_sign(actor=handler, work_order_id=order.pk)
            work_order_submit(
                actor=handler, work_order_id=order.pk, result_kind="solved", result="已办结"
            )
            case_review(actor=people.taskforce_a, case_id=case.pk, accept=True)


def test_without_a_model_the_service_item_s_department_is_suggested(
    org: Org, people: Personas, client_for
) -> None:
    case = register(org, people, "失业金申领被退回", "要求补交证明。", item=org.item_x)
    kept = routing_suggest(case_id=case.pk)
    assert [(s.target, s.label, s.model_id) for s in kept] == [("department", "X", None)]

    page = client_for(people.taskforce_a).get("/triage/").content.decode()
    assert f'data-testid="suggestions-{case.pk}"' in page
    hint = client_for(people.clerk_a).post("/triage/suggest/", {"title": "失业金"})
    assert (hint.status_code, hint.content.strip()) == (200, b"")  # no model: no hint
    assert "按事项" in page
    assert f'<option value="{org.dept_x.pk}" selected>' in page


def test_settled_cases_teach_the_routing_and_the_choice_is_kept(
    org: Org, people: Personas, client_for, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    settle(org, people, 12)
    result = routing_train()
    assert sorted(m.target for m in result.trained) == ["cause", "department", "tier"]
    department = RoutingModel.objects.get(target="department")
    assert (department.version, department.examples, department.labels) == (1, 24, ["X", "Y"])

    # A new case about pensions, with no service item: entering triage queues its suggestions.
    with django_capture_on_commit_callbacks(execute=True):
        case = register(org, people, "退休工资社保卡问题", "养老保险的材料交了又被退回。")
    kept = {s.target: s for s in RoutingSuggestion.objects.filter(case=case, rank=1)}
    assert kept["department"].label == "X"
    assert kept["department"].model_id == department.pk
    assert kept["cause"].label == "HARD-MATERIALS"
    assert kept["tier"].label == "general"
    assert 0.5 < kept["department"].confidence <= 1

    page = client_for(people.taskforce_a).get("/triage/").content.decode()
    assert f"区人社局 {round(kept['department'].confidence * 100)}%" in page

    # The clerk's intake form shows the same hint as the text is typed.
    hint = client_for(people.clerk_a).post(
        "/triage/suggest/",
        {"title": "退休工资社保卡问题", "description": "养老保险的材料交了又被退回。"},
    )
    assert f"区人社局 {round(kept['department'].confidence * 100)}%" in hint.content.decode()
    assert (
        client_for(people.handler_x).post("/triage/suggest/", {"title": "社保"}).status_code == 404
    )
    assert client_for(people.clerk_a).get("/triage/suggest/").status_code == 405  # text by POST
    materials = Cause.objects.get(code="HARD-MATERIALS")
    assert f'<option value="{materials.pk}" selected>' in page

    # The task force sends it to Y instead: the choice is kept against the suggestions.
    response = client_for(people.taskforce_a).post(
        f"/triage/cases/{case.pk}/",
        {
            f"c{case.pk}-cause": materials.pk,
            f"c{case.pk}-tier": "general",
            f"c{case.pk}-lead": org.dept_y.pk,
            f"c{case.pk}-mode": "parallel",
        },
    )
    assert response.status_code == 302
    chosen = dict(
        RoutingSuggestion.objects.filter(case=case, target="department").values_list(
            "label", "chosen"
        )
    )
    assert chosen == {"X": False, "Y": True}
    assert RoutingSuggestion.objects.get(case=case, target="cause", rank=1).chosen is True

    # The admin's list of versions shows how often the first suggestion was taken.
    listing = client_for(people.admin).get("/admin/triage/routingmodel/").content.decode()
    assert "0/1 (0%)" in listing  # department: X suggested, Y chosen
    assert "1/1 (100%)" in listing  # cause and tier taken


def test_a_case_s_service_item_names_its_lead_over_the_model(
    org: Org, people: Personas, client_for, immediate_huey, django_capture_on_commit_callbacks
) -> None:
    settle(org, people, 12)
    routing_train()
    # The pension text the model sends to X, but the case names Y's service item.
    with django_capture_on_commit_callbacks(execute=True):
        case = register(
            org, people, "退休工资社保卡问题", "养老保险的材料交了又被退回。", org.item_y
        )
    suggested = RoutingSuggestion.objects.get(case=case, target="department", rank=1)
    assert (suggested.label, suggested.confidence >= 0.5) == ("X", True)
    page = client_for(people.taskforce_a).get("/triage/").content.decode()
    lead = re.search(rf'name="c{case.pk}-lead".*?</select>', page, re.S)
    assert lead is not None
    assert re.findall(r'<option value="(\d+)" selected>', lead.group()) == [str(org.dept_y.pk)]
    assert f"区人社局 {round(suggested.confidence * 100)}%" in page  # X is still offered


def test_the_nightly_retraining_waits_for_enough_new_answers(
    org: Org, people: Personas, settings
) -> None:
    settle(org, people, 10)
    settings.DOUDI_ROUTING_RETRAIN_AFTER = 2
    first = routing_retrain_if_due()
    assert first is not None
    assert len(first.trained) == 3
    assert routing_retrain_if_due() is None  # nothing answered since
    settle(org, people, 1)  # two more answers
    again = routing_retrain_if_due()
    assert again is not None
    assert RoutingModel.objects.get(target="department", version=2).examples == 22


def test_the_history_decides_what_can_be_learnt(org: Org, people: Personas) -> None:
    settle(org, people, 2)  # 4 cases: too few
    result = routing_train()
    assert result.trained == []
    assert result.skipped == {"department": 4, "cause": 4, "tier": 4}


def test_the_sweep_suggests_for_cases_that_have_none(
    org: Org, people: Personas, client_for
) -> None:
    cases = [register(org, people, f"案件{n}", "材料被退回。", item=org.item_x) for n in range(3)]
    assert cases_without_suggestions() == [c.pk for c in cases]
    from doudi.triage.tasks import suggest_missing_routing

    assert suggest_missing_routing.call_local() == 3
    assert cases_without_suggestions() == []

    # The workspace reads the kept suggestions without a query per case.
    client = client_for(people.taskforce_a)
    with CaptureQueriesContext(connection) as three:
        client.get("/triage/")
    more = [register(org, people, f"新案{n}", "材料被退回。", item=org.item_x) for n in range(3)]
    for case in more:
        routing_suggest(case_id=case.pk)
    with CaptureQueriesContext(connection) as six:
        client.get("/triage/")
    assert len(six) == len(three)


def test_a_label_naming_no_department_is_shown_but_fills_nothing(db: None) -> None:
    Department.objects.create(code="Z", name="区教育局")
    shown = routing.shown(
        [
            routing.Suggestion("department", "Z", 0.7, 1),
            routing.Suggestion("department", "城乡建设", 0.2, 1),
            routing.Suggestion("tier", "complex", 0.9, 1),
        ]
    )
    assert [(s.name, s.value is not None, s.percent) for s in shown] == [
        ("区教育局", True, 70),
        ("城乡建设", False, 20),
        ("复杂或多部门", True, 90),
    ]


def test_an_unsure_suggestion_is_offered_but_not_filled_in(
    org: Org, people: Personas, client_for
) -> None:
    case = register(org, people, "失业金申领被退回", "要求补交证明。", item=org.item_x)
    materials = Cause.objects.get(code="HARD-MATERIALS")
    now = case.registered_at
    model = RoutingModel.objects.create(
        target="department", version=1, trained_at=now, source="t", examples=0, blob=b""
    )
    RoutingSuggestion.objects.bulk_create(
        RoutingSuggestion(case=case, rank=1, made_at=now, model=model, **row)
        for row in (
            {"target": "department", "label": "Y", "confidence": 0.3},
            {"target": "cause", "label": materials.code, "confidence": 0.4},
        )
    )
    page = client_for(people.taskforce_a).get("/triage/").content.decode()
    assert "区市场监管局 30%" in page
    assert f'<option value="{org.dept_x.pk}" selected>' in page  # the service item's
    assert f'<option value="{materials.pk}" selected>' not in page
