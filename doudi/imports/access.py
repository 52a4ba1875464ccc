"""An import is seen by its requester, and by whoever may import into its centre."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from doudi.accounts.access import NOTHING, active_user, centre_scope_q, is_global
from doudi.accounts.roles import Capability
from doudi.imports.models import ImportJob

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def import_visibility(user: AnyUser) -> Q:
    member = active_user(user)
    if member is None or not member.can(Capability.CASE_IMPORT):
        return NOTHING
    if is_global(member):  # (Q(...) | Q() drops the empty Q: it is not "everything")
        return Q()
    return Q(user=member) | centre_scope_q(member, "centre__")


def access_import(user: AnyUser, job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(import_visibility(user), pk=job_id).first()
    if job is None:
        raise Http404
    return job
