"""The case page's "similar cases" card (loaded by htmx: it reads the index, which the rest of
the page does not need)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from doudi.cases.access import access_case
from doudi.search.selectors import SimilarCase, similar_cases

SCOPES = {"centre": _("本中心"), "all": _("全部中心")}


def _present(found: SimilarCase) -> dict[str, Any]:
    case = found.case
    try:
        triage = case.triage
    except ObjectDoesNotExist:
        triage = None
    return {
        "case": case,
        "score": found.score,
        "solution": case.outcome,
        "cause": triage.cause if triage else None,
        "tier": triage.get_tier_display() if triage else "",
    }


@login_required
@require_GET
def similar_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    case = access_case(request.user, case_id)
    scope = request.GET.get("scope", "centre")
    if scope not in SCOPES:
        scope = "centre"
    found = similar_cases(request.user, case, scope=scope)  # type: ignore[arg-type]
    context = {
        "case": case,
        "scope": scope,
        "scopes": SCOPES,
        "similar": [_present(f) for f in found],
    }
    return render(request, "search/_similar_cases.html", context)
