"""The public rating pages, with no login: a window's page (from its QR code) and the link a
reporter gets by SMS to rate the result of their case."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from doudi.cases.workflow import DomainError
from doudi.core import ratelimit
from doudi.feedback import actions, selectors, tokens
from doudi.feedback.forms import CaseRatingForm, WindowRatingForm
from doudi.feedback.models import ReturnVisit

# Ratings from one address: at most 10 an hour (a service hall shares one address, so not 1).
RATINGS_PER_IP = (10, 60 * 60)
# The same phone may rate the same window again after this long (the next service event).
RATED_COOKIE_AGE = 60 * 60
COOKIE_SALT = "doudi.feedback.rated"
THANKS_KEY = "rating_thanks"


def _rated_cookie(window_id: int) -> str:
    return f"doudi_rated_{window_id}"


def _limited(request: HttpRequest) -> bool:
    limit, period = RATINGS_PER_IP
    key = f"rating:ip:{ratelimit.client_ip(request)}"
    return not ratelimit.hit(key, limit=limit, period_seconds=period)


def window_rating(request: HttpRequest, code: str) -> HttpResponse:
    window = selectors.window_for_rating(code)
    if window is None:
        raise Http404
    cookie = _rated_cookie(window.pk)
    if request.get_signed_cookie(cookie, default=None, salt=COOKIE_SALT, max_age=RATED_COOKIE_AGE):
        return render(request, "public/rate_already.html", {"window": window}, status=409)
    staff = selectors.window_staff(window)
    context: dict[str, Any] = {
        "window": window,
        "fix_days": selectors.rectification_days(window.centre),
    }
    if request.method != "POST":
        context["form"] = WindowRatingForm(
            staff=staff, initial={"token": tokens.window_token(window.pk)}
        )
        return render(request, "public/rate_window.html", context)
    if _limited(request):
        return ratelimit.limited(request, RATINGS_PER_IP[1])
    form = WindowRatingForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            event_key = tokens.read_window_token(form.cleaned_data["token"], window_id=window.pk)
            rating = actions.rating_submit(
                window=window,
                event_key=event_key,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
                callback_phone=form.cleaned_data["callback_phone"],
                staff=form.cleaned_data.get("staff"),
            )
        except tokens.BadToken:
            form.add_error(None, _("评价页面已过期或无效，请重新扫描窗口二维码后评价。"))
            fresh = request.POST.copy()
            fresh["token"] = tokens.window_token(window.pk)
            form.data = fresh
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            rectification = rating.rectification
            request.session[THANKS_KEY] = {
                "bad": rating.is_bad,
                "fix_days": context["fix_days"],
                "number": rectification.number if rectification else "",
                "query_code": rectification.query_code if rectification else "",
            }
            response = redirect("feedback_public:window_thanks", code=window.code)
            response.set_signed_cookie(
                cookie, "1", salt=COOKIE_SALT, max_age=RATED_COOKIE_AGE, httponly=True,
                samesite="Lax", secure=request.is_secure(),
            )  # fmt: skip
            return response
    context["form"] = form
    return render(request, "public/rate_window.html", context, status=400)


@require_GET
def window_thanks(request: HttpRequest, code: str) -> HttpResponse:
    window = selectors.window_for_rating(code)
    if window is None:
        raise Http404
    thanks = request.session.pop(THANKS_KEY, None) or {}
    return render(request, "public/rate_thanks.html", {"window": window, "thanks": thanks})


def _visit_for(token: str) -> ReturnVisit:
    try:
        case_id, round_ = tokens.read_case_link_token(token)
    except tokens.BadToken:
        raise Http404 from None
    visit = (
        ReturnVisit.objects.select_related("case__centre")
        .filter(case_id=case_id, round=round_)
        .first()
    )
    if visit is None:
        raise Http404
    return visit


def case_rating(request: HttpRequest, token: str) -> HttpResponse:
    visit = _visit_for(token)
    context: dict[str, Any] = {"visit": visit, "case": visit.case}
    if not visit.is_open:
        return render(request, "public/rate_case_done.html", context)
    form = CaseRatingForm(request.POST or None)
    if request.method == "POST":
        if _limited(request):
            return ratelimit.limited(request, RATINGS_PER_IP[1])
        if form.is_valid():
            try:
                actions.visit_conclude(
                    actor=None,
                    visit_id=visit.pk,
                    solved=form.cleaned_data["solved"],
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                return redirect("feedback_public:case_rating", token=token)
    context["form"] = form
    status = 400 if form.is_bound else 200
    return render(request, "public/rate_case.html", context, status=status)
