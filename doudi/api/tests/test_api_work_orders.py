"""Work orders through the JSON API: a handler's inbox, sign, submit, dispute; scope and stale
versions."""

from __future__ import annotations

from typing import Any

from django.test import Client

from doudi.api.actions import token_create
from doudi.api.models import Scope
from doudi.conftest import Personas
from doudi.workorders.models import WorkOrder, WorkOrderEvent


def call(client: Client, token: str, path: str, data: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if data is None:
        return client.get(path, headers=headers)
    return client.post(path, data, content_type="application/json", headers=headers)


def test_a_handler_signs_and_answers_a_work_order(
    dispatched, people: Personas, client: Client
) -> None:
    case = dispatched()  # X lead, Y co
    x = WorkOrder.objects.get(case=case, department__code="X")
    token = token_create(actor=None, user=people.handler_x, name="部门系统").secret

    listed = call(client, token, "/api/v1/work-orders").json()["items"]
    assert [o["number"] for o in listed] == [x.number]  # not Y's
    assert call(client, token, f"/api/v1/work-orders/{x.number}").json()["role"] == "lead"

    signed = call(client, token, f"/api/v1/work-orders/{x.number}/sign", {"version": x.version})
    assert (signed.status_code, signed.json()["state"]) == (200, "signed")
    stale = call(client, token, f"/api/v1/work-orders/{x.number}/sign", {"version": x.version})
    assert (stale.status_code, stale.json()["code"]) == (409, "invalid_move")
    bad = call(client, token, f"/api/v1/work-orders/{x.number}/submit", {"result_kind": "done"})
    assert bad.status_code == 422
    assert set(bad.json()["fields"]) == {"result_kind", "result"}
    done = call(
        client,
        token,
        f"/api/v1/work-orders/{x.number}/submit",
        {"result_kind": "solved", "result": "已补办参保登记", "version": signed.json()["version"]},
    )
    assert (done.status_code, done.json()["state"]) == (200, "submitted")
    kinds = list(WorkOrderEvent.objects.filter(work_order=x).values_list("kind", flat=True))
    assert {"sign", "submit"} <= set(kinds)


def test_other_departments_and_readers_cannot_act(
    dispatched, people: Personas, client: Client
) -> None:
    case = dispatched()
    x = WorkOrder.objects.get(case=case, department__code="X")
    other = token_create(actor=None, user=people.handler_y, name="乙").secret
    assert call(client, other, f"/api/v1/work-orders/{x.number}").status_code == 404
    assert call(client, other, f"/api/v1/work-orders/{x.number}/sign", {}).status_code == 404
    reader = token_create(
        actor=None, user=people.handler_x, name="只读", scopes=[Scope.WORK_ORDERS_READ]
    ).secret
    refused = call(client, reader, f"/api/v1/work-orders/{x.number}/sign", {})
    assert refused.json()["code"] == "forbidden_scope"
    clerk = token_create(actor=None, user=people.taskforce_a, name="专班").secret
    assert call(client, clerk, f"/api/v1/work-orders/{x.number}/sign", {}).status_code == 403
    disputed = call(
        client,
        token_create(actor=None, user=people.handler_x, name="甲").secret,
        f"/api/v1/work-orders/{x.number}/dispute",
        {"reason": "不属于本部门职责"},
    )
    assert disputed.json()["state"] == "disputed"
