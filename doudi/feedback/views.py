"""Staff pages: the return-visit queue and a visit's page, the ratings list and a rating's
page (verify, exclude, appeal, decide), and the panel the case page loads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doudi.accounts.access import active_user, may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability, capabilities_of
from doudi.cases.access import access_case
from doudi.cases.presenters import present_case
from doudi.cases.workflow import DomainError
from doudi.core.feedback import act_with_messages, form_errors_to_messages
from doudi.core.statetable import moves_from
from doudi.feedback import actions, selectors
from doudi.feedback.access import access_rating, access_visit
from doudi.feedback.forms import RatingMoveForm, VisitAttemptForm, VisitOutcomeForm
from doudi.feedback.models import Rating
from doudi.feedback.workflow import RATING_MOVES, RatingState


def _member(request: HttpRequest, capability: Capability = Capability.CASE_VIEW) -> User:
    user = active_user(request.user)
    if user is None or not may(user, capability):
        raise Http404
    return user


@login_required
@require_GET
def visit_queue(request: HttpRequest) -> HttpResponse:
    user = _member(request, Capability.SUPERVISE)
    context = {
        "visits": list(selectors.visit_queue(user)[:200]),
        "recent": selectors.recent_visits(user),
        "export_kind": "visits",
    }
    return render(request, "feedback/visits.html", context)


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request, Capability.SUPERVISE)
    visit = access_visit(user, pk, for_write=True)
    context = {
        "visit": visit,
        "case": visit.case,
        "view": present_case(visit.case, unmasked=None),
        "attempts": selectors.visit_attempts(visit),
        "attempt_form": VisitAttemptForm(),
        "outcome_form": VisitOutcomeForm(),
    }
    return render(request, "feedback/visit.html", context)


@login_required
@require_POST
def visit_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request, Capability.SUPERVISE)
    visit = access_visit(user, pk, for_write=True)
    form = VisitAttemptForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("feedback:visit", pk=visit.pk)
    try:
        visit = actions.visit_attempt_log(
            actor=user,
            visit_id=visit.pk,
            method=form.cleaned_data["method"],
            reached=False,
            note=form.cleaned_data["note"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if visit.is_open:
            messages.info(request, _("已记录未联系上；三次联系不上将按联系不上办结。"))
        else:
            messages.warning(request, _("三次联系不上，案件已办结并记录说明。"))
    return redirect("feedback:visit", pk=visit.pk)


@login_required
@require_POST
def visit_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request, Capability.SUPERVISE)
    visit = access_visit(user, pk, for_write=True)
    form = VisitOutcomeForm(request.POST)
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return redirect("feedback:visit", pk=visit.pk)
    try:
        visit = actions.visit_conclude(
            actor=user,
            visit_id=visit.pk,
            solved=form.cleaned_data["solved"],
            scores=form.scores(),
            comment=form.cleaned_data["comment"],
            method=form.cleaned_data["method"],
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, visit.get_outcome_display())
    return redirect("feedback:visit", pk=visit.pk)


@login_required
@require_GET
def rating_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    state = request.GET.get("state", "")
    if state not in RatingState.values:
        state = ""
    bad_only = request.GET.get("bad") == "1"
    ratings = selectors.rating_list(user, state=state, bad_only=bad_only)
    page = Paginator(ratings, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "bad_only": bad_only,
        "states": RatingState.choices,
        "export_kind": "ratings",
    }
    return render(request, "feedback/ratings.html", context)


def _moves(user: User, rating: Rating) -> list[dict[str, object]]:
    return [
        {"move": move, "form": RatingMoveForm(prefix=move.name)}
        for move in moves_from(RATING_MOVES, rating.state, capabilities_of(user.role))
    ]


@login_required
@require_GET
def rating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    rating = access_rating(user, pk)
    context = {
        "rating": rating,
        "events": selectors.rating_events(rating),
        "moves": _moves(user, rating),
    }
    return render(request, "feedback/rating.html", context)


@login_required
@require_POST
def rating_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    user = _member(request)
    rating = access_rating(user, pk)
    if move not in RATING_MOVES:
        raise Http404
    act_with_messages(
        request,
        RatingMoveForm(request.POST, prefix=move),
        lambda data: actions.rating_move(
            actor=user, rating_id=rating.pk, move_name=move, reason=data["reason"]
        ),
        str(RATING_MOVES[move].label),
    )
    return redirect("feedback:rating", pk=rating.pk)


@login_required
@require_GET
def case_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's return visits and ratings (loaded by htmx)."""
    user = _member(request)
    case = access_case(user, case_id)
    context = {
        "case": case,
        "visits": selectors.case_visits(case),
        "ratings": selectors.case_ratings(case),
        "rated": selectors.rectified_rating(case),
        "can_visit": may(user, Capability.SUPERVISE),
    }
    return render(request, "feedback/_case_panel.html", context)
