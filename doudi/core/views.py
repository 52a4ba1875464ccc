"""The shell: health check and each role's home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from doudi.accounts.access import active_user
from doudi.accounts.selectors import visible_users
from doudi.cases.selectors import home_counts, recent_cases
from doudi.cases.workflow import State
from doudi.core.selectors import database_health, queue_health
from doudi.directory.selectors import home_summary


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


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = active_user(request.user)
    if user is None:  # login_required lets only signed-in users through; inactive ones stop here
        raise PermissionDenied
    context = {
        "summary": {**home_summary(user), "users": visible_users(user).count()},
        "cases": home_counts(user),
        "recent": recent_cases(user),
        "triage_queue": recent_cases(user, state=State.TRIAGE),
    }
    return render(request, f"core/home_{user.role}.html", context)
