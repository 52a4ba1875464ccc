"""The leaders' dashboard and the drill-down from any of its numbers to the cases behind it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from doudi.accounts.access import active_user, may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability
from doudi.analytics import selectors
from doudi.analytics.forms import FilterForm
from doudi.analytics.models import ModelWindowCriteria
from doudi.analytics.presentation import HEADLINE, LABELS, chart_data, present
from doudi.directory.selectors import visible_centres, visible_departments


def _member(request: HttpRequest) -> User:
    user = active_user(request.user)
    if user is None or not may(user, Capability.DASHBOARD):
        raise Http404
    return user


def _form(request: HttpRequest, user: User) -> FilterForm:
    return FilterForm(
        request.GET or {"preset": "month"},
        centres=visible_centres(user).order_by("path"),
        departments=visible_departments(user).order_by("path"),
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    form = _form(request, user)
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        filters = form.filters()
        figures = [present(m) for m in selectors.metrics(user, filters).values()]
        charts = selectors.breakdowns(user, filters)
        context.update(
            period=filters.period,
            headline=[f for f in figures if f["key"] in HEADLINE],
            figures=[f for f in figures if f["key"] not in HEADLINE],
            charts=charts,
            chart_data=chart_data(charts),
            overdue=selectors.overdue_list(user, filters),
            query=request.GET.urlencode(),
        )
    return render(request, "analytics/dashboard.html", context)


@login_required
@require_GET
def drill(request: HttpRequest) -> HttpResponse:
    """The cases behind one number of the dashboard."""
    user = _member(request)
    key = request.GET.get("metric", "")
    side = request.GET.get("side", "num")
    spec = selectors.SPEC_BY_KEY.get(key)
    if spec is None or not spec.drillable or side not in ("num", "den"):
        raise Http404
    form = _form(request, user)
    if not form.is_valid():
        raise Http404
    cases = selectors.drill_cases(user, form.filters(), key, side)
    page = Paginator(cases.order_by("-registered_at", "-id"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "label": LABELS[key],
        "side": side,
        "period": form.cleaned_data["period"],
        "export_kind": "drill",
    }
    return render(request, "analytics/drill.html", context)


@login_required
@require_GET
def rankings(request: HttpRequest) -> HttpResponse:
    """Windows and departments ranked, model windows, and where the 办不成事 cases and the
    findings concentrate."""
    user = _member(request)
    form = _form(request, user)
    context: dict[str, Any] = {"form": form, "criteria": ModelWindowCriteria.current()}
    if form.is_valid():
        filters = form.filters()
        windows = selectors.window_ranking(user, filters)
        context.update(
            period=filters.period,
            windows=windows,
            models=[row for row in windows if row.model],
            most_cases=sorted((r for r in windows if r.cases), key=lambda r: -r.cases)[:10],
            most_findings=sorted((r for r in windows if r.findings), key=lambda r: -r.findings)[
                :10
            ],
            departments=selectors.department_ranking(user, filters),
        )
    return render(request, "analytics/rankings.html", context)
