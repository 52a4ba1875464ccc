"""Every change to a policy issue: promoting a cluster of cases, editing, moving between states,
linking a case, and flagging a recurrence when a new case matches a closed issue.

Each action is atomic, locks the issue row it changes, saves only the fields it changes and
writes a PolicyIssueEvent in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from doudi.accounts.roles import capabilities_of
from doudi.audit.actions import audit_record
from doudi.cases.access import case_visibility
from doudi.cases.models import Case
from doudi.core.errors import DomainError
from doudi.lib import clustering
from doudi.policy.access import policy_visibility, scope_centres
from doudi.policy.models import PolicyIssue, PolicyIssueCase, PolicyIssueEvent
from doudi.policy.selectors import (
    background_documents,
    closed_issues_over,
    documents,
    owner_users,
)
from doudi.policy.workflow import IssueState, LinkKind, issue_guard
from doudi.workorders.access import may_direct

if TYPE_CHECKING:
    from doudi.accounts.models import User
    from doudi.directory.models import Centre, Department

MAX_CASES = 2000


def _event(
    issue: PolicyIssue,
    kind: str,
    *,
    actor: User | None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, object] | None = None,
) -> PolicyIssueEvent:
    return PolicyIssueEvent.objects.create(
        issue=issue,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
    )


def _check_director(actor: User) -> None:
    if not may_direct(actor):
        raise DomainError(_("您的角色不能进行此操作。"))


def _check_owner(
    centre: Centre, owner_user: User | None, owner_department: Department | None
) -> None:
    if owner_user is None and owner_department is None:
        raise DomainError(_("请指定负责人或责任部门。"))
    if owner_user is not None and not owner_users(centre).filter(pk=owner_user.pk).exists():
        raise DomainError(_("所选负责人不属于本中心。"))
    if owner_department is not None and not owner_department.is_active:
        raise DomainError(_("所选责任部门已停用。"))


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise DomainError(_("请填写问题名称。"))
    return title[:100]


def policy_issue_promote(
    *,
    actor: User,
    centre: Centre,
    title: str,
    case_ids: Sequence[int],
    proposal: str = "",
    owner_user: User | None = None,
    owner_department: Department | None = None,
    label: str = "",
    period_start: date | None = None,
    period_end: date | None = None,
) -> PolicyIssue:
    """Promote a cluster of cases to a tracked policy issue, the cases linked to it.

    Steps: check the actor directs the work and the centre is in their scope; check the title,
    the owner and that every case belongs to the centre subtree and is visible to the actor;
    compute the signature that later cases are matched against; then create the issue, its
    links and its first event in one transaction.
    """
    _check_director(actor)
    if not scope_centres(actor).filter(pk=centre.pk).exists():
        raise DomainError(_("所选中心不在您的管辖范围内。"))
    title = _clean_title(title)
    _check_owner(centre, owner_user, owner_department)
    wanted = sorted(set(case_ids))
    if not wanted:
        raise DomainError(_("请至少选择一件案件。"))
    if len(wanted) > MAX_CASES:
        raise DomainError(_("一次最多关联 %(n)s 件案件。") % {"n": MAX_CASES})
    # Missing, another centre's, or not visible: the same refusal, and nothing is created.
    cases = Case.objects.filter(pk__in=wanted, centre__path__startswith=centre.path).filter(
        pk__in=Case.objects.filter(case_visibility(actor)).values("pk")
    )
    found = documents(cases)
    if len(found) != len(wanted):
        raise DomainError(_("所选案件不属于该中心或不存在。"))
    signature = clustering.signature_of(found, background_documents(centre, exclude=wanted))
    with transaction.atomic():
        issue = PolicyIssue.objects.create(
            centre=centre,
            title=title,
            owner_user=owner_user,
            owner_department=owner_department,
            proposal=proposal.strip(),
            state=IssueState.OPEN,
            label=label.strip()[:100],
            signature=signature.as_json(),
            period_start=period_start,
            period_end=period_end,
            created_by=actor,
        )
        PolicyIssueCase.objects.bulk_create(
            PolicyIssueCase(issue=issue, case_id=pk, kind=LinkKind.CLUSTER, linked_by=actor)
            for pk in wanted
        )
        _event(issue, "promote", actor=actor, to_state=issue.state, payload={"cases": len(wanted)})
        audit_record(
            actor=actor,
            action="policy.promote",
            object_type="policy_issue",
            object_id=issue.pk,
            detail={"centre": centre.code, "cases": len(wanted)},
        )
    return issue


def policy_issue_update(
    *,
    actor: User,
    issue_id: int,
    title: str,
    proposal: str,
    owner_user: User | None = None,
    owner_department: Department | None = None,
) -> PolicyIssue:
    _check_director(actor)
    title = _clean_title(title)
    with transaction.atomic():
        issue = PolicyIssue.objects.select_for_update().select_related("centre").get(pk=issue_id)
        _check_owner(issue.centre, owner_user, owner_department)
        before = {"title": issue.title, "owner": issue.owner}
        issue.title = title
        issue.proposal = proposal.strip()
        issue.owner_user = owner_user
        issue.owner_department = owner_department
        issue.save(update_fields=["title", "proposal", "owner_user", "owner_department"])
        _event(issue, "update", actor=actor, payload={"before": before, "owner": issue.owner})
        audit_record(
            actor=actor, action="policy.update", object_type="policy_issue", object_id=issue.pk
        )
    return issue


def policy_issue_move(
    *, actor: User, issue_id: int, move_name: str, reason: str = ""
) -> PolicyIssue:
    """Start, close (with how it was solved) or reopen an issue."""
    reason = reason.strip()
    with transaction.atomic():
        issue = PolicyIssue.objects.select_for_update().get(pk=issue_id)
        move = issue_guard(move_name, issue.state, capabilities_of(actor.role))
        if move.needs_reason and not reason:
            raise DomainError(_("请说明理由。"))
        from_state = issue.state
        issue.state = move.target
        fields = ["state"]
        if move.target == IssueState.CLOSED:
            issue.closed_at, issue.outcome = timezone.now(), reason
            fields += ["closed_at", "outcome"]
        elif from_state == IssueState.CLOSED:
            issue.closed_at = None
            fields.append("closed_at")
        issue.save(update_fields=fields)
        _event(
            issue,
            move_name,
            actor=actor,
            from_state=from_state,
            to_state=issue.state,
            reason=reason,
        )
        audit_record(
            actor=actor,
            action=f"policy.{move_name}",
            object_type="policy_issue",
            object_id=issue.pk,
            detail={"from": from_state, "to": issue.state},
        )
    return issue


def policy_issue_close(*, actor: User, issue_id: int, outcome: str) -> PolicyIssue:
    return policy_issue_move(actor=actor, issue_id=issue_id, move_name="close", reason=outcome)


def policy_issue_link_case(*, actor: User, issue_id: int, case_number: str) -> PolicyIssueCase:
    """Link one more case, by its number, to an issue (a case of the issue's centre subtree)."""
    _check_director(actor)
    with transaction.atomic():
        issue = PolicyIssue.objects.select_for_update().select_related("centre").get(pk=issue_id)
        if not PolicyIssue.objects.filter(policy_visibility(actor), pk=issue.pk).exists():
            raise DomainError(_("未找到该政策问题。"))
        case = (
            Case.objects.filter(case_visibility(actor))
            .filter(number=case_number.strip(), centre__path__startswith=issue.centre.path)
            .first()
        )
        if case is None:
            raise DomainError(_("未找到该案件，或案件不属于本问题所在中心。"))
        if PolicyIssueCase.objects.filter(issue=issue, case=case).exists():
            raise DomainError(_("该案件已关联。"))
        link = PolicyIssueCase.objects.create(
            issue=issue, case=case, kind=LinkKind.MANUAL, linked_by=actor
        )
        _event(issue, "link", actor=actor, payload={"case": case.number})
    return link


def policy_recurrence_check(*, case_id: int) -> list[PolicyIssue]:
    """Flag ``case`` as a recurrence of every closed issue of its centre (or a centre above)
    that was closed before it came in and whose signature it matches. The issue stays closed:
    its owner decides whether to reopen it."""
    case = Case.objects.select_related("centre").filter(pk=case_id).first()
    if case is None:
        return []
    candidates = closed_issues_over(case.centre).filter(closed_at__lt=case.registered_at)
    candidates = candidates.exclude(links__case=case)
    body = f"{case.description}\n{case.request}"
    matched = []
    for issue_id, data in candidates.values_list("pk", "signature"):
        signature = clustering.Signature.from_json(data or {})
        score = clustering.match(signature, case.title, body)
        if score >= clustering.MATCH_THRESHOLD:
            matched.append((issue_id, score))
    flagged = []
    for issue_id, score in matched:
        with transaction.atomic():
            issue = PolicyIssue.objects.select_for_update().get(pk=issue_id)
            if issue.state != IssueState.CLOSED:
                continue  # reopened meanwhile: the case is no longer a recurrence of a fix
            _, created = PolicyIssueCase.objects.get_or_create(
                issue=issue,
                case=case,
                defaults={"kind": LinkKind.RECURRENCE, "score": round(score, 3)},
            )
            if not created:
                continue
            PolicyIssue.objects.filter(pk=issue.pk).update(recurrences=F("recurrences") + 1)
            _event(
                issue,
                "recurrence",
                actor=None,
                payload={"case": case.number, "score": round(score, 3)},
            )
            flagged.append(issue)
    return flagged
