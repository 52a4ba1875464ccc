"""Reads of work orders: a department's inbox, a case's work orders, the task force's queues."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet

from doudi.deadlines.models import RUNNING_STATES, Clock
from doudi.workorders.access import work_order_visibility
from doudi.workorders.models import Extension, ExtensionDecision, WorkOrder
from doudi.workorders.workflow import WorkOrderState

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser
    from doudi.cases.models import Case

INBOX_TABS = {
    "issued": (WorkOrderState.ISSUED,),
    "signed": (WorkOrderState.SIGNED,),
    "submitted": (WorkOrderState.SUBMITTED,),
    "done": (WorkOrderState.ACCEPTED, WorkOrderState.DISPUTED, WorkOrderState.REASSIGNED),
}


def _with_clocks(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    running = Prefetch(
        "clocks",
        queryset=Clock.objects.filter(state__in=RUNNING_STATES).order_by("due_at"),
        to_attr="running_clocks",
    )
    return orders.select_related("case__centre", "department").prefetch_related(running)


def inbox(user: AnyUser, tab: str) -> QuerySet[WorkOrder]:
    states = INBOX_TABS.get(tab, INBOX_TABS["issued"])
    orders = WorkOrder.objects.filter(work_order_visibility(user), state__in=states)
    return _with_clocks(orders).order_by("answer_due", "pk")


def inbox_counts(user: AnyUser) -> dict[str, int]:
    """How many work orders each inbox tab holds, in one query."""
    orders = WorkOrder.objects.filter(work_order_visibility(user))
    return orders.aggregate(
        **{tab: Count("id", filter=Q(state__in=states)) for tab, states in INBOX_TABS.items()}
    )


def case_work_orders(case: Case) -> list[WorkOrder]:
    return list(_with_clocks(case.work_orders.all()).order_by("step", "pk"))


def disputed(user: AnyUser) -> QuerySet[WorkOrder]:
    orders = WorkOrder.objects.filter(work_order_visibility(user), state=WorkOrderState.DISPUTED)
    return orders.select_related("case", "department").order_by("pk")


def pending_extensions(user: AnyUser) -> QuerySet[Extension]:
    visible = WorkOrder.objects.filter(work_order_visibility(user)).values("pk")
    return (
        Extension.objects.filter(decision=ExtensionDecision.PENDING, work_order__in=visible)
        .select_related("work_order__case", "work_order__department", "requested_by")
        .order_by("requested_at")
    )
