"""Staff pages for cases: the list, intake (window and hotline), the case page with its
timeline and moves, the receipt, files, and the look-ups the intake form uses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from doudi.accounts.access import active_user, may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability, capabilities_of
from doudi.cases import actions, selectors
from doudi.cases.access import access_case, may_act, may_unmask
from doudi.cases.forms import CLERK_CHANNELS, MOVE_FORMS, IntakeForm
from doudi.cases.models import Case, Channel
from doudi.cases.presenters import present_case, present_timeline
from doudi.cases.workflow import MOVES, DomainError, State, moves_from
from doudi.core.feedback import act_with_messages, take_typed
from doudi.deadlines.actions import triage_due
from doudi.deadlines.selectors import case_clocks
from doudi.directory.selectors import (
    visible_centres,
    visible_service_items,
    visible_staff,
    visible_windows,
)
from doudi.search.selectors import CappedPaginator
from doudi.workorders.selectors import case_work_orders


def _member(request: HttpRequest) -> User:
    user = active_user(request.user)
    if user is None:
        raise Http404
    return user


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    channel = request.GET.get("channel", "")
    query = request.GET.get("q", "").strip()[:50]
    cases = selectors.case_list(request.user, state=state, channel=channel, query=query)
    # Counted only up to a cap, with a search or without: a common word matches a tenth of a
    # million cases, a department sees a hundred thousand, and counting them all would cost
    # more than finding the first page (doudi.search.selectors.CappedPaginator).
    page = CappedPaginator(cases, 30, text=query, reader=request.user).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "state": state,
        "channel": channel,
        "q": query,
        "states": State.choices,
        "channels": Channel.choices,
        "can_register": may_act(request.user),
        "can_import": may(request.user, Capability.CASE_IMPORT),
        "export_kind": "cases",
    }
    template = "cases/_list_table.html" if request.headers.get("HX-Request") else "cases/list.html"
    return render(request, template, context)


@login_required
def case_new(request: HttpRequest, variant: str = "window") -> HttpResponse:
    user = _member(request)
    if not may_act(user) or variant not in CLERK_CHANNELS:
        raise Http404
    centres = visible_centres(user).filter(is_active=True)
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        centres=centres,
        windows=visible_windows(user).filter(is_active=True).select_related("centre"),
        staff_scope=visible_staff(user),
        initial={"centre": user.scope_centre_id or None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.case_register(
                actor=user,
                intake=form.intake(channel=CLERK_CHANNELS[variant]),
                uploads=form.uploads(),
                submission_key=form.cleaned_data["submission_key"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("已登记案件 %(number)s。") % {"number": case.number})
            return redirect("cases:detail", pk=case.pk)
    context = {"form": form, "variant": variant, "channel_label": CLERK_CHANNELS[variant].label}
    return render(request, "cases/new.html", context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = access_case(user, pk)
    capabilities = capabilities_of(user.role)
    # A refused move comes back as typed (bound: with its errors); the others empty.
    kept_move, kept_data = take_typed(request, f"case:{case.pk}") or ("", None)
    moves = []
    for move in moves_from(case.state, capabilities):
        data = kept_data if move.name == kept_move else None
        moves.append((move, MOVE_FORMS[move.name](data, prefix=move.name)))
    context: dict[str, Any] = {
        "case": case,
        "view": present_case(case, unmasked=None),
        "timeline": present_timeline(
            selectors.timeline(case, public=False), public=False, case=case
        ),
        "moves": moves,
        "can_unmask": may_unmask(user, case),
        "can_print_receipt": may_act(user),
        "duplicates": selectors.possible_duplicates(user, case) if case.is_open else [],
        "earlier": selectors.earlier_cases_by_phone(user, case.phone_hash, exclude=case.pk),
        "attachments": case.attachments.all(),
        "clocks": case_clocks(case),
        "work_orders": case_work_orders(case),
        "merged_cases": case.merged_cases.all(),
    }
    return render(request, "cases/detail.html", context)


@login_required
@require_POST
def case_act(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    user = _member(request)
    case = access_case(user, pk)
    form_class = MOVE_FORMS.get(move)
    if form_class is None:
        raise Http404
    act_with_messages(
        request,
        form_class(request.POST, prefix=move),
        lambda data: actions.case_act(actor=user, case=case, move=move, data=data),
        _("“%(move)s”已完成。") % {"move": MOVES[move].label},
        keep=(f"case:{case.pk}", move),
    )
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = access_case(user, pk)
    if not may_unmask(user, case):
        raise Http404
    data = actions.case_reveal_personal_data(actor=user, case=case)
    return render(request, "cases/_personal_data.html", {"view": present_case(case, unmasked=data)})


@login_required
def case_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    case = access_case(user, pk)
    if not may_act(user):
        raise Http404
    context = {
        "case": case,
        "view": present_case(case, unmasked=None),
        "public_url": settings.DOUDI_PUBLIC_URL.rstrip("/"),
        "triage_by": triage_due(case.registered_at),
    }
    return render(request, "cases/receipt.html", context)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    case = access_case(request.user, pk)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return _file_response(attachment)


def _file_response(attachment: Any) -> FileResponse:
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def lookup_items(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("service_item", request.GET.get("q", "")).strip()[:50]
    items = visible_service_items(request.user, query.split()[0] if query else "")[:20]
    return render(request, "cases/_options_items.html", {"items": items})


@login_required
@require_GET
def lookup_staff(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("staff", request.GET.get("q", "")).split(",")[-1].strip()[:30]
    people = visible_staff(request.user, query)[:20] if query else []
    return render(request, "cases/_options_staff.html", {"people": people})


@login_required
@require_GET
def lookup_phone(request: HttpRequest) -> HttpResponse:
    phone = request.GET.get("reporter_phone", "").strip()
    earlier: list[Case] = []
    if phone:
        earlier = selectors.earlier_cases_by_phone(request.user, actions.phone_lookup_hash(phone))
    return render(
        request, "cases/_earlier_cases.html", {"earlier": earlier, "phone_given": bool(phone)}
    )
