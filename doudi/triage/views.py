"""The task force's triage workspace: the queue, triage forms, batch issue, disputes to
reassign, results to review, extensions to decide, and the daily summaries."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doudi.accounts.access import active_user, may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability
from doudi.cases.access import access_case
from doudi.cases.models import Case, Channel
from doudi.cases.workflow import DomainError, State
from doudi.core.feedback import form_errors_to_messages
from doudi.deadlines.models import RUNNING_STATES, Clock, ClockKind
from doudi.directory.models import Department
from doudi.directory.selectors import visible_departments
from doudi.triage import actions, routing, selectors
from doudi.triage.forms import ExtensionDecisionForm, ReassignForm, ReviewForm, TriageForm
from doudi.triage.models import RoutingTarget, Tier, Triage
from doudi.workorders import actions as wo_actions
from doudi.workorders.access import access_work_order, may_direct
from doudi.workorders.selectors import case_work_orders, disputed, pending_extensions

QUEUE_PAGE = 100  # the oldest first; the rest follow once these are triaged
PREFILL_CONFIDENCE = 0.5  # a suggestion below this is offered, not filled in


def _director(request: HttpRequest) -> User:
    user = active_user(request.user)
    if user is None or not may_direct(user):
        raise Http404
    return user


def _departments(user: User) -> QuerySet[Department]:
    return visible_departments(user).filter(is_active=True)


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = _director(request)
    queue_all = selectors.triage_queue(user)
    queue = list(queue_all[:QUEUE_PAGE])
    clocks: dict[int, list[Clock]] = {}
    for clock in _triage_clocks([case.pk for case in queue]):
        clocks.setdefault(clock.case_id, []).append(clock)
    # Every row's form offers the same choices: read them from the database once.
    template = TriageForm(departments=_departments(user))
    choices = {
        name: list(field.choices)
        for name, field in template.fields.items()
        if hasattr(field, "choices")
    }
    suggested = _suggestions(queue)
    rows: list[dict[str, Any]] = []
    for case in queue:
        triage = getattr(case, "triage", None)
        suggestions = suggested.get(case.pk, {})
        initial: dict[str, Any] = {}
        if triage is not None:
            targets = list(triage.targets.all())
            initial = {
                "cause": triage.cause_id,
                "tier": triage.tier,
                "lead": targets[0].department_id if targets else None,
                "co_handlers": [t.department_id for t in targets[1:]],
                "mode": triage.mode,
                "package": triage.package_id,
                "instructions": triage.instructions,
            }
        elif case.channel == Channel.BAD_REVIEW:
            # A 差评's rectification goes to the rated window's department, on its own tier.
            windows = list(case.windows.all())
            initial = {
                "tier": Tier.RECTIFICATION,
                "lead": windows[0].department_id if windows else None,
            }
        else:
            # A confident suggestion fills its field, but the lead of a case that names its
            # service item is the item's department: the catalogue says who handles the
            # matter, and a model learnt from few cases must not overrule it (the suggestion
            # is still offered beside the field). The cause is left to the task force unless
            # suggested with confidence.
            for field, target in _SUGGESTED_FIELDS.items():
                best = [
                    s
                    for s in suggestions.get(target, [])
                    if s.value is not None and s.confidence >= PREFILL_CONFIDENCE
                ]
                if best:
                    initial[field] = best[0].value
            if case.service_item is not None:
                initial["lead"] = case.service_item.department_id
        form = TriageForm(initial=initial, departments=_departments(user), prefix=f"c{case.pk}")
        for name, options in choices.items():
            form.fields[name].widget.choices = options
        rows.append(
            {
                "case": case,
                "triage": triage,
                "form": form,
                "clocks": clocks.get(case.pk, []),
                "suggestions": [
                    (form[field], suggestions[target])
                    for field, target in _SUGGESTED_FIELDS.items()
                    if suggestions.get(target)
                ],
            }
        )
    context = {
        "rows": rows,
        "queue_total": queue_all.count(),
        "ready": [row for row in rows if _awaiting_issue(row["triage"])],
        "disputed": [
            (order, ReassignForm(departments=_departments(user), prefix=f"w{order.pk}"))
            for order in disputed(user)
        ],
        "review": [
            (case, case_work_orders(case))
            for case in selectors.visible_cases_in(user, State.REVIEW)
        ],
        "extensions": pending_extensions(user),
        "packages": selectors.packages(),
    }
    return render(request, "triage/workspace.html", context)


_SUGGESTED_FIELDS = {
    "lead": RoutingTarget.DEPARTMENT,
    "cause": RoutingTarget.CAUSE,
    "tier": RoutingTarget.TIER,
}


def _suggestions(queue: list[Case]) -> dict[int, dict[str, list[routing.Shown]]]:
    """Each case's kept suggestions by target (prefetched; names resolved once for all)."""
    kept = [(case.pk, s) for case in queue for s in case.routing_suggestions.all()]
    by_case: dict[int, dict[str, list[routing.Shown]]] = {}
    for (case_id, _s), shown in zip(kept, routing.shown(s for _pk, s in kept), strict=True):
        by_case.setdefault(case_id, {}).setdefault(shown.target, []).append(shown)
    return by_case


def _awaiting_issue(triage: Triage | None) -> bool:
    return triage is not None and triage.issued_at is None


def _triage_clocks(case_ids: list[int]) -> QuerySet[Clock]:
    """The running case-level clocks: triage, and a 差评's verify and fix clocks."""
    return Clock.objects.filter(
        case_id__in=case_ids,
        kind__in=(ClockKind.TRIAGE, ClockKind.VERIFY, ClockKind.FIX),
        state__in=RUNNING_STATES,
    ).order_by("due_at")


@login_required
@require_POST
def triage(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _director(request)
    case = access_case(user, case_id)
    form = TriageForm(request.POST, departments=_departments(user), prefix=f"c{case.pk}")
    if form.is_valid():
        try:
            actions.triage_case(
                actor=user,
                case_id=case.pk,
                cause=form.cleaned_data["cause"],
                tier=form.cleaned_data["tier"],
                departments=form.departments(),
                mode=form.cleaned_data["mode"],
                package=form.cleaned_data["package"],
                instructions=form.cleaned_data["instructions"],
            )
        except DomainError as error:
            messages.error(request, f"{case.number}：{error}")
        else:
            messages.success(request, _("%(number)s 已分拣。") % {"number": case.number})
    else:
        form_errors_to_messages(request, form, prefix=f"{case.number}：")
    return redirect("triage:workspace")


@login_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    """Batch issue: the work orders of every checked, triaged case go out."""
    user = _director(request)
    ids = [int(pk) for pk in request.POST.getlist("case") if pk.isdigit()]
    visible = list(selectors.ready_to_issue(user).filter(pk__in=ids).values_list("pk", flat=True))
    if not visible:
        messages.error(request, _("请勾选要派单的案件。"))
        return redirect("triage:workspace")
    result = actions.work_orders_issue(actor=user, case_ids=visible)
    messages.success(
        request,
        _("已派发 %(cases)s 件案件的 %(orders)s 张工作单。")
        % {"cases": len(result.issued), "orders": result.work_orders},
    )
    for number, reason in result.failed:
        messages.error(request, f"{number}：{reason}")
    return redirect("triage:workspace")


@login_required
@require_POST
def review(request: HttpRequest, case_id: int) -> HttpResponse:
    user = _director(request)
    case = access_case(user, case_id)
    form = ReviewForm(request.POST, prefix=f"r{case.pk}")
    if form.is_valid():
        try:
            wo_actions.case_review(
                actor=user,
                case_id=case.pk,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            messages.error(request, f"{case.number}：{error}")
        else:
            messages.success(request, _("%(number)s 已审核。") % {"number": case.number})
    return redirect("triage:workspace")


@login_required
@require_POST
def reassign(request: HttpRequest, work_order_id: int) -> HttpResponse:
    user = _director(request)
    order = access_work_order(user, work_order_id)
    form = ReassignForm(request.POST, departments=_departments(user), prefix=f"w{order.pk}")
    if form.is_valid():
        try:
            new = wo_actions.work_order_reassign(
                actor=user, work_order_id=order.pk, department=form.cleaned_data["department"]
            )
        except DomainError as error:
            messages.error(request, f"{order.number}：{error}")
        else:
            messages.success(request, _("已改派为 %(number)s。") % {"number": new.number})
    return redirect("triage:workspace")


@login_required
@require_POST
def decide_extension(request: HttpRequest, extension_id: int) -> HttpResponse:
    user = _director(request)
    extension = pending_extensions(user).filter(pk=extension_id).first()
    if extension is None:
        raise Http404
    form = ExtensionDecisionForm(request.POST, prefix=f"e{extension.pk}")
    if form.is_valid():
        try:
            wo_actions.work_order_decide_extension(
                actor=user,
                extension_id=extension.pk,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("延期申请已审批。"))
    return redirect("triage:workspace")


@login_required
@require_POST
def suggest(request: HttpRequest) -> HttpResponse:
    """The intake form's hint as the clerk types: where the model would send this text (by
    POST: the text may hold names and numbers, which must not reach access logs in a URL)."""
    user = active_user(request.user)
    if user is None or not may(user, Capability.CASE_REGISTER):
        raise Http404
    title = request.POST.get("title", "")[:100]
    body = request.POST.get("description", "")[:5000]
    found = routing.suggest_text(title, body, service_item_department=None)
    departments = [s for s in routing.shown(found) if s.target == RoutingTarget.DEPARTMENT]
    return render(request, "triage/_suggest.html", {"suggestions": departments})


@login_required
def daily(request: HttpRequest) -> HttpResponse:
    user = _director(request)
    summaries = selectors.daily_summaries(user)[:60]
    return render(request, "triage/daily_list.html", {"summaries": summaries})


@login_required
def daily_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _director(request)
    summary = selectors.daily_summaries(user).filter(pk=pk).first()
    if summary is None:
        raise Http404
    return render(request, "triage/daily.html", {"summary": summary})
