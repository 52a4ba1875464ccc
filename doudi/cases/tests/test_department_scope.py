"""A department's scope: the cases about its service items and the cases sent to it.

"Sent to it" is read from ``CaseRecipient`` (one row per case and department with a work
order), written in the work order's transaction: these tests fail if a move that sends a
case leaves the relation behind, or if the scope read from it differs from the work orders.
"""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.http import Http404

from doudi.accounts.access import department_scope_q
from doudi.cases.access import access_case, case_visibility
from doudi.cases.models import Case
from doudi.cases.selectors import case_list
from doudi.conftest import Personas
from doudi.workorders import actions
from doudi.workorders.models import CaseRecipient, WorkOrder


def _by_work_orders(user) -> set[int]:  # type: ignore[no-untyped-def]
    """The scope as it was defined before the relation: straight from the work orders."""
    sent = WorkOrder.objects.filter(department_scope_q(user, "department__")).values("case_id")
    scope = department_scope_q(user, "service_item__department__") | Q(pk__in=sent)
    return set(Case.objects.filter(scope).values_list("pk", flat=True))


def _visible(user, page: bool = False) -> set[int]:  # type: ignore[no-untyped-def]
    found = Case.objects.filter(case_visibility(user, page=page))
    return set(found.values_list("pk", flat=True))


def _listed(user, **filters: str) -> set[int]:  # type: ignore[no-untyped-def]
    return {case.pk for case in case_list(user, **filters)}


def test_a_case_is_visible_to_a_department_once_sent_and_after_reassignment(
    dispatched, org, people: Personas
) -> None:
    case = dispatched(departments=("X",))  # item of X, sent to X only
    assert case.pk not in _listed(people.handler_y)
    with pytest.raises(Http404):
        access_case(people.handler_y, case.pk)

    order = WorkOrder.objects.get(case=case)
    actions.work_order_dispute(actor=people.handler_x, work_order_id=order.pk, reason="非本部门")
    new = actions.work_order_reassign(
        actor=people.taskforce_a, work_order_id=order.pk, department=org.dept_y
    )
    # Visible at once, in the list (with and without a filter), by id and by search.
    assert case.pk in _listed(people.handler_y)
    assert case.pk in _listed(people.handler_y, state=case.state)
    assert case.pk not in _listed(people.handler_y, state="closed")
    assert case.pk in _listed(people.handler_y, query="养老保险")
    assert access_case(people.handler_y, case.pk) == case
    # X keeps it (its item, and its reassigned work order).
    assert case.pk in _listed(people.handler_x)
    assert set(
        CaseRecipient.objects.filter(case=case).values_list("department__code", flat=True)
    ) == {"X", "Y"}
    assert new.department == org.dept_y

    # A withdrawn case's work orders are cancelled, not removed: the scope stays.
    from doudi.cases.actions import case_withdraw

    case_withdraw(actor=people.clerk_a, case_id=case.pk, reason="反映人已自行解决")
    assert case.pk in _listed(people.handler_y)
    for user in (people.handler_x, people.handler_y, people.leader_x):
        assert _visible(user) == _visible(user, page=True) == _by_work_orders(user)


def test_a_parent_department_sees_what_is_sent_to_its_sub_departments(
    dispatched, people: Personas
) -> None:
    sent = dispatched(departments=("Y", "X1"))  # an item of X, sent to Y and X's child
    only_y = dispatched(departments=("Y",))
    Case.objects.filter(pk=only_y.pk).update(service_item=None)  # about no item
    # leader_x is scoped to X (and X1 below it); handler_y to Y.
    assert {sent.pk} <= _visible(people.leader_x)
    assert only_y.pk not in _visible(people.leader_x)
    assert {sent.pk, only_y.pk} <= _visible(people.handler_y)
    for user in (people.handler_x, people.handler_y, people.leader_x):
        assert _visible(user) == _by_work_orders(user)
        assert _listed(user) == _visible(user)


def test_filling_the_relation_from_work_orders_is_idempotent(dispatched, people: Personas) -> None:
    """``case_recipients_fill`` (bulk loads; migration workorders 0003 does the same)."""
    case = dispatched()
    CaseRecipient.objects.all().delete()
    assert case.pk not in _visible(people.handler_y)
    assert actions.case_recipients_fill() == 2
    assert actions.case_recipients_fill() == 0
    assert case.pk in _visible(people.handler_y)
    for user in (people.handler_x, people.handler_y, people.leader_x):
        assert _visible(user) == _by_work_orders(user)
