"""Who may see which work order: the department's subtree (handlers, department leaders), the
centre's subtree of the case (task force, supervisors, clerks, centre leaders), admins all."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from doudi.accounts.access import (
    NOTHING,
    active_user,
    centre_scope_q,
    department_scope_q,
    is_centre_scoped,
    is_global,
    may,
)
from doudi.accounts.roles import Capability
from doudi.workorders.models import WorkOrder

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def work_order_visibility(user: AnyUser) -> Q:
    if active_user(user) is None:
        return NOTHING
    if not may(user, Capability.CASE_VIEW):
        return NOTHING
    if is_global(user):
        return Q()
    if is_centre_scoped(user):
        return centre_scope_q(user, "case__centre__")
    return department_scope_q(user, "department__")


def access_work_order(user: AnyUser, work_order_id: int) -> WorkOrder:
    order = (
        WorkOrder.objects.filter(work_order_visibility(user))
        .select_related("case__centre", "case__service_item", "department")
        .filter(pk=work_order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


def access_work_order_by_number(user: AnyUser, number: str) -> WorkOrder:
    """``access_work_order`` for callers that name a work order by its number (the JSON API)."""
    found = WorkOrder.objects.filter(work_order_visibility(user), number=number)
    pk = found.values_list("pk", flat=True).first()
    if pk is None:
        raise Http404
    return access_work_order(user, pk)


def may_handle(user: AnyUser, order: WorkOrder) -> bool:
    """Handlers act on their own department's work orders only (not a centre's staff)."""
    return may(user, Capability.WORK_ORDER_HANDLE) and not is_centre_scoped(user)


def may_direct(user: AnyUser) -> bool:
    """The task force issues, reassigns, reviews and decides extensions."""
    return may(user, Capability.TRIAGE)
