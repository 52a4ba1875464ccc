"""The shell: health check and each role's home page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from doudi.accounts.access import active_user
from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.accounts.selectors import visible_users
from doudi.analytics.selectors import SPEC_BY_KEY, Filters, metric, overdue_list
from doudi.cases.selectors import home_counts, recent_cases
from doudi.cases.workflow import State
from doudi.core.selectors import database_health, queue_health
from doudi.deadlines.selectors import clock_counts, open_supervisions
from doudi.directory.selectors import home_summary
from doudi.feedback import selectors as feedback
from doudi.lib.periods import period_for
from doudi.workorders.selectors import inbox, inbox_counts


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_health()
    queue = queue_health()
    ok = database["ok"] and queue["ok"]
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "queue": queue},
        status=200 if ok else 503,
    )


def _clerk(user: User) -> dict[str, Any]:
    return {
        "cases": home_counts(user),
        "recent": recent_cases(user),
        "triage_queue": recent_cases(user, state=State.TRIAGE),
    }


def _taskforce(user: User) -> dict[str, Any]:
    return {
        "cases": home_counts(user),
        "clocks": clock_counts(user),
        "triage_queue": recent_cases(user, state=State.TRIAGE),
        "review_queue": recent_cases(user, state=State.REVIEW),
        "feedback": feedback.home_counts(user),
    }


def _handler(user: User) -> dict[str, Any]:
    return {
        "work_orders": inbox_counts(user),
        "clocks": clock_counts(user),
        "inbox_issued": inbox(user, "issued")[:8],
        "inbox_signed": inbox(user, "signed")[:8],
    }


def _supervisor(user: User) -> dict[str, Any]:
    return {
        "cases": home_counts(user),
        "clocks": clock_counts(user),
        "supervisions": open_supervisions(user)[:8],
        "feedback": feedback.home_counts(user),
        "visits": feedback.visit_queue(user)[:8],
    }


def _leader(user: User) -> dict[str, Any]:
    """This month's headline rates (as on the dashboard) and the overdue list."""
    filters = Filters(period=period_for("month", timezone.localdate()))
    rates = {
        key: metric(user, filters, SPEC_BY_KEY[key]).value
        for key in ("response_rate", "solved_rate", "satisfied_rate")
    }
    return {
        "cases": home_counts(user),
        "rates": {key: "—" if v is None else f"{v * 100:.1f}%" for key, v in rates.items()},
        "overdue": overdue_list(user, filters, limit=8),
    }


def _admin(user: User) -> dict[str, Any]:
    return {"users": visible_users(user).count()}


# What each role's home page shows, beyond the directory summary every page has.
HOME_CONTEXT: dict[str, Callable[[User], dict[str, Any]]] = {
    Role.CLERK: _clerk,
    Role.TASKFORCE: _taskforce,
    Role.HANDLER: _handler,
    Role.SUPERVISOR: _supervisor,
    Role.LEADER: _leader,
    Role.ADMIN: _admin,
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = active_user(request.user)
    if user is None:  # login_required lets only signed-in users through; inactive ones stop here
        raise PermissionDenied
    context = {"summary": home_summary(user), **HOME_CONTEXT[user.role](user)}
    return render(request, f"core/home_{user.role}.html", context)
