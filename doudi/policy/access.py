"""Who may see recurring problems and policy issues: within their centre subtree, the task
force (who direct the work, and alone promote, edit and move issues) and the centre's
supervisors and leaders, who read them (DESIGN: what leaders see). Every other role, and a
department's reader, gets a 404, like a missing issue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from doudi.accounts.access import NOTHING, active_user, centre_scope_q, is_centre_scoped, may
from doudi.accounts.roles import Capability
from doudi.directory.models import Centre
from doudi.policy.models import PolicyIssue
from doudi.workorders.access import may_direct

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser
    from doudi.accounts.models import User


def may_read_policy(user: AnyUser) -> bool:
    """An active user holding POLICY_VIEW, scoped to a centre (the clusters are a centre's)."""
    return may(user, Capability.POLICY_VIEW) and is_centre_scoped(user)


def policy_reader(user: AnyUser) -> User:
    """The signed-in reader of recurring problems and issues, or a 404."""
    member = active_user(user)
    if member is None or not may_read_policy(member):
        raise Http404
    return member


def policy_member(user: AnyUser) -> User:
    """The signed-in task force member, who acts on them, or a 404."""
    member = active_user(user)
    if member is None:
        raise Http404
    if not may_direct(member):
        raise Http404
    return member


def policy_visibility(user: AnyUser) -> Q:
    if not may_read_policy(user):
        return NOTHING
    return centre_scope_q(user, "centre__")


def access_policy_issue(user: AnyUser, issue_id: int) -> PolicyIssue:
    issue = (
        PolicyIssue.objects.filter(policy_visibility(user))
        .select_related("centre", "owner_user", "owner_department", "created_by")
        .filter(pk=issue_id)
        .first()
    )
    if issue is None:
        raise Http404
    return issue


def scope_centres(user: AnyUser) -> QuerySet[Centre]:
    """The centres whose recurring problems ``user`` may study (their subtree)."""
    if not may_read_policy(user):
        return Centre.objects.none()
    return Centre.objects.filter(centre_scope_q(user)).order_by("path")
