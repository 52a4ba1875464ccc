"""Findings: the list, a finding's page (appeal, decision), the case page's panel with the form
to record one, and a staff member's record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from doudi.accountability import actions, selectors
from doudi.accountability.access import access_finding
from doudi.accountability.forms import FindingForm, FindingMoveForm
from doudi.accountability.workflow import FINDING_MOVES, FindingState
from doudi.accounts.access import active_user, may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability, capabilities_of
from doudi.cases.access import access_case
from doudi.cases.workflow import DomainError
from doudi.core.feedback import act_with_messages, form_errors_to_messages
from doudi.core.statetable import moves_from
from doudi.directory.access import access_staff


def _member(request: HttpRequest) -> User:
    user = active_user(request.user)
    if user is None or not may(user, Capability.CASE_VIEW):
        raise Http404
    return user


@login_required
@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    state = request.GET.get("state", "")
    if state not in FindingState.values:
        state = ""
    page = Paginator(selectors.finding_list(user, state=state), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "state": state,
        "states": FindingState.choices,
        "export_kind": "findings",
    }
    return render(request, "accountability/findings.html", context)


@login_required
@require_GET
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    finding = access_finding(user, pk)
    moves = [
        {"move": move, "form": FindingMoveForm(prefix=move.name)}
        for move in moves_from(FINDING_MOVES, finding.state, capabilities_of(user.role))
    ]
    context = {"finding": finding, "events": selectors.finding_events(finding), "moves": moves}
    return render(request, "accountability/finding.html", context)


@login_required
@require_POST
def finding_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    user = _member(request)
    finding = access_finding(user, pk)
    if move not in FINDING_MOVES:
        raise Http404
    act_with_messages(
        request,
        FindingMoveForm(request.POST, prefix=move),
        lambda data: actions.finding_move(
            actor=user, finding_id=finding.pk, move_name=move, reason=data["reason"]
        ),
        str(FINDING_MOVES[move].label),
    )
    return redirect("accountability:finding", pk=finding.pk)


@login_required
@require_GET
def case_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's findings, and the form to record one (loaded by htmx)."""
    user = _member(request)
    case = access_case(user, case_id)
    form = None
    if may(user, Capability.SUPERVISE):
        form = FindingForm(candidates=selectors.finding_candidates(case), prefix="finding")
    context = {"case": case, "findings": selectors.case_findings(user, case), "form": form}
    return render(request, "accountability/_case_panel.html", context)


@login_required
@require_POST
def finding_record(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _member(request)
    case = access_case(user, case_id)
    if not may(user, Capability.SUPERVISE):
        raise Http404
    form = FindingForm(
        request.POST, candidates=selectors.finding_candidates(case), prefix="finding"
    )
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("cases:detail", pk=case.pk)
    try:
        finding = actions.finding_record(
            actor=user,
            case_id=case.pk,
            kind=form.cleaned_data["kind"],
            evidence=form.cleaned_data["evidence"],
            staff=form.cleaned_data["staff"],
            window=form.cleaned_data["window"],
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, finding.get_state_display())
    return redirect("accountability:finding", pk=finding.pk)


@login_required
@require_GET
def staff_record(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    person = access_staff(user, pk)
    context = {"person": person, **selectors.staff_record(user, person)}
    return render(request, "accountability/staff.html", context)
