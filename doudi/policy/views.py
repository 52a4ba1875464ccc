"""Recurring problems (疑难杂症) for the task force, and to read for a centre's supervisors and
leaders: the clusters of a period, promoting one to a policy issue, the issues' list and page,
and the case page's recurrence panel."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from doudi.accounts.models import User
from doudi.accounts.roles import capabilities_of
from doudi.cases.access import access_case, case_visibility
from doudi.cases.models import Case
from doudi.core.errors import DomainError
from doudi.core.feedback import act_with_messages
from doudi.core.statetable import moves_from
from doudi.directory.models import Centre
from doudi.policy import actions, selectors
from doudi.policy.access import (
    access_policy_issue,
    may_read_policy,
    policy_member,
    policy_reader,
    policy_visibility,
    scope_centres,
)
from doudi.policy.forms import IssueForm, LinkForm, MoveForm, ProblemsForm, PromoteForm
from doudi.policy.models import PolicyIssue
from doudi.policy.workflow import ISSUE_MOVES, IssueState
from doudi.workorders.access import may_direct


@login_required
@require_GET
def problems(request: HttpRequest) -> HttpResponse:
    user = policy_reader(request.user)
    centres = scope_centres(user)
    form = ProblemsForm(request.GET or None, centres=centres)
    if request.GET and form.is_valid():
        chosen = form.cleaned_data
    else:
        chosen = ProblemsForm.defaults(centres)
        if not request.GET:
            form = ProblemsForm(initial=chosen, centres=centres)
    rows, found = [], None
    if chosen["centre"] is not None:
        found = selectors.recurring_problems(
            chosen["centre"], chosen["start"], chosen["end"], by=chosen["by"]
        )
        rows = selectors.cluster_rows(user, found.clusters)
    context = {
        "form": form,
        "rows": rows,
        "chosen": chosen,
        "found": found,
        "can_act": may_direct(user),
    }
    return render(request, "policy/problems.html", context)


def _scoped_centre(user: object, centre_id: str | None) -> tuple[Centre, QuerySet[Centre]]:
    centres = scope_centres(user)  # type: ignore[arg-type]
    if not (centre_id or "").isdigit():
        raise Http404
    centre = centres.filter(pk=int(centre_id or 0)).first()
    if centre is None:
        raise Http404
    return centre, centres


def _ids(values: list[str]) -> list[int]:
    ids: list[int] = []
    for value in values:
        ids.extend(int(part) for part in value.split(",") if part.strip().isdigit())
    return ids


def _candidate_cases(user: object, centre: Centre, ids: list[int]) -> list[Case]:
    """The cases of ``ids`` the user sees in the centre subtree; others are left out (and a
    POST naming them fails validation: they are not among the choices)."""
    return list(
        Case.objects.filter(case_visibility(user), pk__in=ids)  # type: ignore[arg-type]
        .filter(centre__path__startswith=centre.path)
        .only("pk", "number", "title")
        .order_by("-registered_at")
    )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def promote(request: HttpRequest) -> HttpResponse:
    user = policy_member(request.user)
    source = request.POST if request.method == "POST" else request.GET
    centre, centres = _scoped_centre(user, source.get("centre"))
    cases = _candidate_cases(user, centre, _ids(source.getlist("cases")))
    if request.method == "GET":
        label = source.get("label", "")
        form = PromoteForm(
            initial={
                "centre": centre.pk,
                "start": _date(source.get("start")),
                "end": _date(source.get("end")),
                "label": label,
                "title": label.replace(" ", "、"),
                "cases": [c.pk for c in cases],
            },
            centre=centre,
            centres=centres,
            cases=cases,
        )
        return render(request, "policy/promote.html", {"form": form, "centre": centre})
    form = PromoteForm(request.POST, centre=centre, centres=centres, cases=cases)
    if form.is_valid():
        data = form.cleaned_data
        try:
            issue = actions.policy_issue_promote(
                actor=user,
                centre=data["centre"],
                title=data["title"],
                proposal=data["proposal"],
                case_ids=data["cases"],
                owner_user=data["owner_user"],
                owner_department=data["owner_department"],
                label=data["label"],
                period_start=data["start"],
                period_end=data["end"],
            )
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("已列为政策问题，跟踪办理。"))
            return redirect("policy:issue", pk=issue.pk)
    return render(request, "policy/promote.html", {"form": form, "centre": centre}, status=400)


@login_required
@require_GET
def issue_list(request: HttpRequest) -> HttpResponse:
    user = policy_reader(request.user)
    state = request.GET.get("state", "")
    if state not in IssueState.values:
        state = ""
    page = Paginator(selectors.issue_list(user, state=state), 50).get_page(request.GET.get("page"))
    context = {"page": page, "state": state, "states": IssueState.choices}
    return render(request, "policy/issues.html", context)


def _issue_context(user: User, issue: PolicyIssue) -> dict[str, object]:
    moves = [
        {"move": move, "form": MoveForm(prefix=move.name)}
        for move in moves_from(ISSUE_MOVES, issue.state, capabilities_of(user.role))
    ]
    edit = IssueForm(
        prefix="edit",
        centre=issue.centre,
        initial={
            "title": issue.title,
            "proposal": issue.proposal,
            "owner_user": issue.owner_user_id,
            "owner_department": issue.owner_department_id,
        },
    )
    links = selectors.issue_links(issue)
    return {
        "issue": issue,
        "links": links,
        "recurrences": [link for link in links if link.kind == "recurrence"],
        "events": selectors.issue_events(issue),
        "moves": moves,
        "edit_form": edit,
        "link_form": LinkForm(prefix="link"),
        "can_act": may_direct(user),
    }


@login_required
@require_GET
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = policy_reader(request.user)
    issue = access_policy_issue(user, pk)
    return render(request, "policy/issue.html", _issue_context(user, issue))


@login_required
@require_POST
def issue_update(request: HttpRequest, pk: int) -> HttpResponse:
    user = policy_member(request.user)
    issue = access_policy_issue(user, pk)
    act_with_messages(
        request,
        IssueForm(request.POST, prefix="edit", centre=issue.centre),
        lambda data: actions.policy_issue_update(
            actor=user,
            issue_id=issue.pk,
            title=data["title"],
            proposal=data["proposal"],
            owner_user=data["owner_user"],
            owner_department=data["owner_department"],
        ),
        _("已保存。"),
    )
    return redirect("policy:issue", pk=issue.pk)


@login_required
@require_POST
def issue_link(request: HttpRequest, pk: int) -> HttpResponse:
    user = policy_member(request.user)
    issue = access_policy_issue(user, pk)
    act_with_messages(
        request,
        LinkForm(request.POST, prefix="link"),
        lambda data: actions.policy_issue_link_case(
            actor=user, issue_id=issue.pk, case_number=data["number"]
        ),
        _("已关联案件。"),
    )
    return redirect("policy:issue", pk=issue.pk)


@login_required
@require_POST
def issue_move(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    user = policy_member(request.user)
    issue = access_policy_issue(user, pk)
    if move not in ISSUE_MOVES:
        raise Http404
    act_with_messages(
        request,
        MoveForm(request.POST, prefix=move),
        lambda data: actions.policy_issue_move(
            actor=user, issue_id=issue.pk, move_name=move, reason=data["reason"]
        ),
        str(ISSUE_MOVES[move].label),
    )
    return redirect("policy:issue", pk=issue.pk)


@login_required
@require_GET
def case_panel(request: HttpRequest, case_id: int) -> HttpResponse:
    """The case page's recurrence flag (复发), for anyone who sees the case; the issue is a link
    only for those who may open it."""
    case = access_case(request.user, case_id)
    recurrences = selectors.case_recurrences(case)
    linkable: set[int] = set()
    if recurrences and may_read_policy(request.user):
        issues = PolicyIssue.objects.filter(
            policy_visibility(request.user), pk__in=[r.issue_id for r in recurrences]
        )
        linkable = set(issues.values_list("pk", flat=True))
    context = {"case": case, "recurrences": recurrences, "linkable": linkable}
    return render(request, "policy/_case_panel.html", context)
