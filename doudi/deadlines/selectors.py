"""Reads of clocks and supervision items, through the reader's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from doudi.accounts.access import department_scope_q, is_centre_scoped, is_global
from doudi.cases.access import case_visibility
from doudi.deadlines.models import Clock, ClockState, Supervision

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser
    from doudi.cases.models import Case


def case_clocks(case: Case) -> list[Clock]:
    return list(case.clocks.select_related("work_order__department").order_by("started_at", "id"))


def open_supervisions(user: AnyUser) -> QuerySet[Supervision]:
    items = Supervision.objects.filter(resolved_at__isnull=True)
    if is_global(user):
        pass
    elif is_centre_scoped(user):
        items = items.filter(case_visibility(user, "case__"))
    else:
        items = items.filter(department_scope_q(user, "department__"))
    return items.select_related("clock", "case", "work_order__department").order_by("clock__due_at")


def _work_order_clocks(user: AnyUser) -> QuerySet[Clock]:
    clocks = Clock.objects.filter(work_order__isnull=False)
    if is_global(user):
        return clocks
    if is_centre_scoped(user):
        # Joined to each clock's case, not tested against the list of every case in scope (a
        # million for the district: a second for the home page's cards).
        return clocks.filter(case_visibility(user, "case__"))
    return clocks.filter(department_scope_q(user, "work_order__department__"))


def clock_counts(user: AnyUser) -> dict[str, int]:
    """Work-order clocks due soon and overdue, in the user's scope (the home page's cards)."""
    clocks = _work_order_clocks(user).filter(state__in=[ClockState.DUE_SOON, ClockState.OVERDUE])
    return clocks.aggregate(
        due_soon=Count("id", filter=Q(state=ClockState.DUE_SOON)),
        overdue=Count("id", filter=Q(state=ClockState.OVERDUE)),
    )


def overdue_board(user: AnyUser) -> list[dict[str, Any]]:
    """Overdue running clocks of work orders, counted per department (the 督办 board)."""
    clocks = _work_order_clocks(user).filter(state=ClockState.OVERDUE)
    rows = (
        clocks.values("work_order__department__name", "kind")
        .annotate(n=Count("id"))
        .order_by("work_order__department__name", "kind")
    )
    return [dict(row) for row in rows]
