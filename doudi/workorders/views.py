"""A department's inbox and the work order page; the printed 问题工作单 (HTML and PDF); the
supervision board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doudi.accounts.access import active_user
from doudi.accounts.models import User
from doudi.cases.presenters import present_case
from doudi.core.feedback import act_with_messages, take_typed
from doudi.deadlines.selectors import case_clocks, open_supervisions, overdue_board
from doudi.workorders import actions, selectors
from doudi.workorders.access import access_work_order, may_handle
from doudi.workorders.forms import FORMS
from doudi.workorders.models import WorkOrder
from doudi.workorders.paper import work_order_pdf, work_order_rows
from doudi.workorders.workflow import EVENT_LABELS, WorkOrderState


def _member(request: HttpRequest) -> User:
    user = active_user(request.user)
    if user is None:
        raise Http404
    return user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    tab = request.GET.get("tab", "issued")
    if tab not in selectors.INBOX_TABS:
        tab = "issued"
    context = {
        "tab": tab,
        "orders": selectors.inbox(user, tab)[:200],
        "counts": selectors.inbox_counts(user),
        "export_kind": "workorders",
    }
    return render(request, "workorders/inbox.html", context)


def _forms_for(user: User, order: WorkOrder) -> dict[str, Any]:
    """The forms this user may use on this work order now (the template shows what it gets)."""
    if not may_handle(user, order):
        return {}
    version = {"version": order.version}
    if order.state == WorkOrderState.ISSUED:
        return {
            "sign": FORMS["sign"](initial=version),
            "dispute": FORMS["dispute"](initial=version),
        }
    if order.state == WorkOrderState.SIGNED:
        return {
            "contact": FORMS["contact"](),
            "note": FORMS["note"](),
            "extension": FORMS["extension"](),
            "submit": FORMS["submit"](initial=version),
        }
    return {}


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _member(request)
    order = access_work_order(user, pk)
    forms = _forms_for(user, order)
    kept = take_typed(request, f"workorder:{order.pk}")
    if kept is not None and kept[0] in forms:  # refused: shown again as typed, with its errors
        forms[kept[0]] = FORMS[kept[0]](kept[1])
    context = {
        "order": order,
        "case": order.case,
        "view": present_case(order.case, unmasked=None),
        "forms": forms,
        "events": [
            (event, EVENT_LABELS.get(event.kind, event.kind))
            for event in order.events.select_related("actor")
        ],
        "contacts": order.contacts.select_related("by"),
        "extensions": order.extensions.all(),
        "clocks": [c for c in case_clocks(order.case) if c.work_order_id in (None, order.pk)],
        "siblings": [o for o in selectors.case_work_orders(order.case) if o.pk != order.pk],
    }
    return render(request, "workorders/detail.html", context)


Handler = Callable[[User, WorkOrder, dict[str, Any], Any], object]

HANDLERS: dict[str, Handler] = {
    "sign": lambda user, order, data, form: actions.work_order_sign(
        actor=user, work_order_id=order.pk, version=data["version"]
    ),
    "dispute": lambda user, order, data, form: actions.work_order_dispute(
        actor=user, work_order_id=order.pk, reason=data["reason"], version=data["version"]
    ),
    "contact": lambda user, order, data, form: actions.work_order_contact(
        actor=user,
        work_order_id=order.pk,
        method=data["method"],
        reached=data["reached"],
        note=data["note"],
    ),
    "note": lambda user, order, data, form: actions.work_order_note(
        actor=user, work_order_id=order.pk, text=data["text"]
    ),
    "extension": lambda user, order, data, form: actions.work_order_request_extension(
        actor=user,
        work_order_id=order.pk,
        working_days=data["working_days"],
        reason=data["reason"],
    ),
    "submit": lambda user, order, data, form: actions.work_order_submit(
        actor=user,
        work_order_id=order.pk,
        result_kind=data["result_kind"],
        result=data["result"],
        legal_basis=data["legal_basis"],
        uploads=form.uploads(),
        version=data["version"],
    ),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _member(request)
    order = access_work_order(user, pk)
    handler = HANDLERS.get(action)
    if handler is None or not may_handle(user, order):
        raise Http404
    form = FORMS[action](request.POST, request.FILES)
    act_with_messages(
        request,
        form,
        lambda data: handler(user, order, data, form),
        _("操作成功。"),
        keep=(f"workorder:{order.pk}", action),
    )
    return redirect("workorders:detail", pk=order.pk)


@login_required
def print_view(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_work_order(_member(request), pk)
    context = {"order": order, "case": order.case, "rows": work_order_rows(order)}
    return render(request, "workorders/print.html", context)


@login_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    order = access_work_order(_member(request), pk)
    response = HttpResponse(work_order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
    return response


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    context = {"items": open_supervisions(user)[:200], "board": overdue_board(user)}
    return render(request, "workorders/supervision.html", context)
