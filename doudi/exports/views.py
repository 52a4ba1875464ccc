"""Asking for an export of a list, following its progress, downloading it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from doudi.accounts.access import active_user, may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability
from doudi.cases.workflow import DomainError
from doudi.exports import actions
from doudi.exports.access import access_export
from doudi.exports.models import ExportJob, ExportStatus

# The list's own filters travel with the request; anything else is dropped.
KEPT_PARAMS = ("state", "channel", "q", "metric", "side", "preset", "start", "end", "centre",
               "department", "cause", "tab", "bad")  # fmt: skip


def _member(request: HttpRequest) -> User:
    user = active_user(request.user)
    if user is None or not may(user, Capability.CASE_VIEW):
        raise Http404
    return user


@login_required
@require_POST
def export_new(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    params = {key: request.POST[key] for key in KEPT_PARAMS if request.POST.get(key)}
    try:
        job = actions.export_request(
            actor=user,
            kind=request.POST.get("kind", ""),
            params=params,
            fmt=request.POST.get("format", ""),
            unmask=request.POST.get("unmask") == "1",
        )
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(request.POST.get("back") or "exports:list")
    return redirect("exports:detail", pk=job.pk)


@login_required
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    jobs = ExportJob.objects.filter(user=user)[:50]
    return render(request, "exports/list.html", {"jobs": jobs})


@login_required
@require_GET
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx asks again every second until it is done (the partial)."""
    job = access_export(request.user, pk)
    template = (
        "exports/_status.html" if request.headers.get("HX-Request") else "exports/detail.html"
    )
    return render(request, template, {"job": job, "running": job.status in (
        ExportStatus.QUEUED, ExportStatus.RUNNING)})  # fmt: skip


@login_required
@require_GET
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = access_export(request.user, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    path = actions.export_dir() / job.file
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename)
