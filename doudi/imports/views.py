"""Importing cases from a file: the form with the column table, each job's progress and its
report of bad rows."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from doudi.accounts.access import active_user, centre_scope_q, may
from doudi.accounts.models import User
from doudi.accounts.roles import Capability
from doudi.core.errors import DomainError
from doudi.core.feedback import form_errors_to_messages
from doudi.directory.models import Centre
from doudi.imports import actions
from doudi.imports.access import access_import, import_visibility
from doudi.imports.columns import COLUMNS
from doudi.imports.forms import ImportForm
from doudi.imports.models import ImportJob


def _importer(request: HttpRequest) -> User:
    user = active_user(request.user)
    if user is None or not may(user, Capability.CASE_IMPORT):
        raise Http404
    return user


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    """The jobs this user may follow, and the form for a new one."""
    user = _importer(request)
    centres = Centre.objects.filter(centre_scope_q(user))
    form = ImportForm(
        request.POST or None, request.FILES or None, centres=centres, home=user.scope_centre
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > actions.MAX_BYTES:
                raise DomainError(actions.too_large())
            job = actions.import_request(
                actor=user,
                name=upload.name,
                data=upload.read(),
                centre_id=form.cleaned_data["centre"].pk,
                source=form.cleaned_data["source"].strip(),
                mode=form.cleaned_data["mode"],
            )
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            return redirect("imports:detail", pk=job.pk)
    form_errors_to_messages(request, form)  # named by their labels; also shown at each field
    jobs = ImportJob.objects.filter(import_visibility(user)).select_related("user", "centre")
    return render(
        request, "imports/list.html", {"form": form, "jobs": jobs[:50], "columns": COLUMNS}
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; htmx asks again every second while it runs (the partial)."""
    job = access_import(request.user, pk)
    page = "imports/_status.html" if request.headers.get("HX-Request") else "imports/detail.html"
    return render(request, page, {"job": job})


@login_required
@require_GET
def import_report(request: HttpRequest, pk: int) -> FileResponse:
    job = access_import(request.user, pk)
    path = actions.report_path(job)
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"import-{job.pk}-report.csv")


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """An empty CSV with every column's header, which Chinese Excel opens as it is."""
    _importer(request)
    out = io.StringIO()
    csv.writer(out).writerow([column.name for column in COLUMNS])
    response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="doudi-import-template.csv"'
    return response
