"""What goes into the audit log: every event of a case, a work order or a rating, and sign-ins."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from doudi.audit.models import AuditEntry
from doudi.cases.models import CaseEvent
from doudi.conftest import PASSWORD, Personas
from doudi.workorders.models import WorkOrderEvent

pytestmark = pytest.mark.django_db


def test_every_case_and_work_order_event_is_in_the_log(dispatched: Any) -> None:
    case = dispatched()
    events = CaseEvent.objects.filter(case=case)
    logged = AuditEntry.objects.filter(object_type="case", object_id=str(case.pk))
    assert sorted(e.detail["event"] for e in logged) == sorted(e.pk for e in events)
    register = logged.get(action="case.register")
    assert register.actor == events.get(kind="register").actor
    orders = WorkOrderEvent.objects.filter(work_order__case=case)
    assert orders.exists()
    for event in orders:
        entry = AuditEntry.objects.get(object_type="work_order", detail__event=event.pk)
        assert entry.action == f"work_order.{event.kind}"
        assert entry.object_id == str(event.work_order_id)


def test_sign_ins_sign_outs_and_failures_are_in_the_log(client: Client, people: Personas) -> None:
    user = people.clerk_a
    client.post("/accounts/login/", {"username": user.username, "password": "wrong-password"})
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    client.post("/accounts/logout/")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor_id"))
    assert actions == [("login.failed", None), ("login", user.pk), ("logout", user.pk)]
    failed = AuditEntry.objects.get(action="login.failed")
    assert failed.detail == {"username": user.username, "ip": "127.0.0.1"}
    assert "wrong-password" not in str(failed.detail)
