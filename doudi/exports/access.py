"""An export is its requester's alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from doudi.accounts.access import active_user
from doudi.exports.models import ExportJob

if TYPE_CHECKING:
    from doudi.accounts.access import AnyUser


def access_export(user: AnyUser, job_id: int) -> ExportJob:
    member = active_user(user)
    if member is None:
        raise Http404
    job = ExportJob.objects.filter(pk=job_id, user=member).first()
    if job is None:
        raise Http404
    return job
