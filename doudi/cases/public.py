"""The reporter's pages, with no login: a window's QR page, the online form, the receipt,
and tracking a case with its number and query code."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doudi.cases import actions, selectors
from doudi.cases.forms import AddInfoForm, IntakeForm, TrackForm, WithdrawForm
from doudi.cases.models import Case, Channel
from doudi.cases.presenters import present_timeline, state_label
from doudi.cases.workflow import MOVES, DomainError
from doudi.core import ratelimit
from doudi.deadlines.actions import triage_due
from doudi.directory.models import Centre, ServiceItem, Window

SESSION_KEY = "tracked_cases"
# Wrong codes: at most 5 per address per 15 minutes, and 10 per case number per hour.
TRACK_FAILURES_PER_IP = (5, 15 * 60)
TRACK_FAILURES_PER_CASE = (10, 60 * 60)
REPORTS_PER_IP = (20, 60 * 60)
ADDITIONS_PER_IP = (30, 60 * 60)
ITEM_LOOKUPS_PER_IP = (600, 10 * 60)  # one per pause in typing; a busy hall shares an address


def _tracked_only(
    view: Callable[[HttpRequest, Case], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A page of one case for the browser that proved it may see it (by its query code); any
    other browser is sent to the tracking form (``_ask_for_code``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, number: str) -> HttpResponse:
        case = _tracked(request, number)
        if case is None:
            return _ask_for_code(request, number)
        return view(request, case)

    return wrapped


def window_page(request: HttpRequest, code: str) -> HttpResponse:
    """What a window's QR code opens: report a matter that could not be done, or rate it."""
    window = get_object_or_404(
        Window.objects.select_related("centre", "department"), code=code, is_active=True
    )
    return render(request, "public/window.html", {"window": window})


def report(request: HttpRequest) -> HttpResponse:
    window = (
        Window.objects.filter(code=request.GET.get("window", ""), is_active=True)
        .select_related("centre")
        .first()
    )
    centres = Centre.objects.filter(is_active=True)
    windows = Window.objects.filter(is_active=True).select_related("centre")
    initial = {}
    if window is not None:
        # From a window's QR code: the form offers that centre's windows only.
        windows = windows.filter(centre=window.centre_id)
        initial = {"centre": window.centre_id, "windows": [window.pk]}
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        centres=centres,
        windows=windows,
        public=True,
        initial=initial,
    )
    if request.method == "POST":
        limit, period = REPORTS_PER_IP
        if not ratelimit.hit(
            f"report:ip:{ratelimit.client_ip(request)}", limit=limit, period_seconds=period
        ):
            return ratelimit.limited(request, period)
        if form.is_valid():
            try:
                case = actions.case_register(
                    actor=None,
                    intake=form.intake(channel=Channel.QR if window else Channel.ONLINE),
                    uploads=form.uploads(),
                    submission_key=form.cleaned_data["submission_key"],
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                _remember(request, case)
                return redirect("public:done", number=case.number)
    return render(request, "public/report.html", {"form": form, "window": window})


@_tracked_only
def done(request: HttpRequest, case: Case) -> HttpResponse:
    """The reporter's receipt, shown once to the browser that submitted (or tracked) it."""
    return render(
        request, "public/done.html", {"case": case, "triage_by": triage_due(case.registered_at)}
    )


def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip().upper()
        code = form.cleaned_data["code"].strip().upper()
        ip_key = f"track-fail:ip:{ratelimit.client_ip(request)}"
        case_key = f"track-fail:case:{number}"
        if ratelimit.exceeded(
            case_key, limit=TRACK_FAILURES_PER_CASE[0], period_seconds=TRACK_FAILURES_PER_CASE[1]
        ):
            return ratelimit.limited(request, TRACK_FAILURES_PER_CASE[1])
        if ratelimit.exceeded(
            ip_key, limit=TRACK_FAILURES_PER_IP[0], period_seconds=TRACK_FAILURES_PER_IP[1]
        ):
            return ratelimit.limited(request, TRACK_FAILURES_PER_IP[1])
        case = Case.objects.filter(number=number).first()
        if case is not None and hmac.compare_digest(case.query_code, code):
            _remember(request, case)
            return redirect("public:case", number=case.number)
        ratelimit.hit(
            ip_key, limit=TRACK_FAILURES_PER_IP[0], period_seconds=TRACK_FAILURES_PER_IP[1]
        )
        ratelimit.hit(
            case_key, limit=TRACK_FAILURES_PER_CASE[0], period_seconds=TRACK_FAILURES_PER_CASE[1]
        )
        # One message for "no such case" and "wrong code": nothing to learn from the difference.
        form.add_error(None, _("案件编号或查询码不正确，请核对后重试。"))
    return render(request, "public/track.html", {"form": form})


@_tracked_only
def tracked_case(request: HttpRequest, case: Case) -> HttpResponse:
    return _case_page(request, case, AddInfoForm())


def _case_page(
    request: HttpRequest, case: Case, info_form: AddInfoForm, status: int = 200
) -> HttpResponse:
    context = {
        "case": case,
        "timeline": present_timeline(selectors.timeline(case, public=True), public=True),
        "info_form": info_form,
        "state_label": state_label(case.state, public=True),
        "withdraw_form": WithdrawForm(),
        "can_withdraw": case.state in MOVES["withdraw"].sources,
        "can_add_info": case.state not in {"withdrawn", "merged", "closed"},
    }
    return render(request, "public/case.html", context, status=status)


@require_POST
@ratelimit.per_ip("add-info", limit=ADDITIONS_PER_IP[0], period_seconds=ADDITIONS_PER_IP[1])
@_tracked_only
def add_info(request: HttpRequest, case: Case) -> HttpResponse:
    form = AddInfoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.case_add_info(
                case_id=case.pk, text=form.cleaned_data["text"], uploads=form.uploads()
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已收到您补充的材料。"))
            # "#top": the form was sent to "#add-info" (where its errors show), and a redirect
            # without a fragment of its own would keep that one, below the message.
            return redirect(reverse("public:case", args=[case.number]) + "#top")
    # The page again with what was typed, and the errors at the form.
    return _case_page(request, case, form, status=400)


@require_POST
@_tracked_only
def withdraw(request: HttpRequest, case: Case) -> HttpResponse:
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.case_withdraw(actor=None, case_id=case.pk, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("案件已撤回。"))
    else:
        messages.error(request, _("请填写撤回原因。"))
    return redirect("public:case", number=case.number)


@require_GET
@ratelimit.per_ip("items", limit=ITEM_LOOKUPS_PER_IP[0], period_seconds=ITEM_LOOKUPS_PER_IP[1])
def service_item_options(request: HttpRequest) -> HttpResponse:
    """The public catalogue of service items, for the online form's suggestions."""
    query = request.GET.get("service_item", "").strip()[:50]
    items = ServiceItem.objects.filter(is_active=True).select_related("department")
    if query:
        items = items.filter(name__icontains=query.split()[-1]) | items.filter(
            code__istartswith=query.split()[0]
        )
    return render(request, "cases/_options_items.html", {"items": items[:20]})


def _remember(request: HttpRequest, case: Case) -> None:
    tracked = list(request.session.get(SESSION_KEY, []))
    if case.pk not in tracked:
        tracked = [*tracked[-19:], case.pk]
    request.session[SESSION_KEY] = tracked


def _tracked(request: HttpRequest, number: str) -> Case | None:
    """The case this browser proved it may see (by its query code), else None."""
    case = Case.objects.select_related("centre").filter(number=number).first()
    if case is None or case.pk not in request.session.get(SESSION_KEY, []):
        return None
    return case


def _ask_for_code(request: HttpRequest, number: str) -> HttpResponse:
    """Back to the tracking form, the number filled in: the browser has not shown the query
    code, or its session ended (half an hour idle, the browser closed). The same answer whether
    the case exists or not."""
    messages.info(
        request, _("请输入查询码查看案件（为保护您的信息，页面闲置或关闭浏览器后需重新输入）。")
    )
    return redirect(f"{reverse('public:track')}?{urlencode({'number': number})}")
