"""Who may see which finding: centre-scoped staff those of their centre subtree's cases; a
department those about its staff and windows; admins all. "Missing" and "not yours" are the
same 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from doudi.accountability.models import Finding
from doudi.accounts.access import (
    NOTHING,
    centre_scope_q,
    department_scope_q,
    is_centre_scoped,
    is_global,
    may,
)
from doudi.accounts.roles import Capability

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def finding_visibility(user: AnyUser) -> Q:
    if not may(user, Capability.CASE_VIEW):
        return NOTHING
    if is_global(user):
        return Q()
    if is_centre_scoped(user):
        return centre_scope_q(user, "case__centre__")
    return department_scope_q(user, "staff__department__") | department_scope_q(
        user, "window__department__"
    )


def access_finding(user: AnyUser, finding_id: int) -> Finding:
    finding = (
        Finding.objects.filter(finding_visibility(user))
        .select_related("case__centre", "staff__department", "window__department", "recorded_by")
        .filter(pk=finding_id)
        .first()
    )
    if finding is None:
        raise Http404
    return finding
