"""Reports: the list, one report as a page, its PDF and Excel files; the public monthly page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from doudi.directory.models import Centre
from doudi.reports.access import access_report, report_visibility
from doudi.reports.actions import reports_dir
from doudi.reports.models import Report, ReportKind

# What the public page shows: counts and rates, never names, windows or staff.
PUBLIC_FIGURES = (
    "received", "closed", "response_rate", "solved_rate", "satisfied_rate", "on_time_rate",
    "on_the_spot_rate", "answer_days", "visits",
)  # fmt: skip


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    reports = Report.objects.filter(report_visibility(request.user)).select_related("centre")
    kind = request.GET.get("kind", "")
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    return render(
        request,
        "reports/list.html",
        {"reports": reports[:120], "kind": kind, "kinds": ReportKind.choices},
    )


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = access_report(request.user, pk)
    return render(request, "reports/detail.html", {"report": report, "data": report.data})


@login_required
@require_GET
def report_file(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    report = access_report(request.user, pk)
    name = report.pdf if fmt == "pdf" else report.xlsx
    path = reports_dir() / name
    if not name or not path.exists():
        raise Http404
    filename = f"{report.centre.name}-{report.get_kind_display()}-{report.start}.{fmt}"
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)


@require_GET
def public_monthly(request: HttpRequest, code: str) -> HttpResponse:
    """A centre's monthly figures for everyone (政务公开): anonymised, counts and rates only."""
    centre = get_object_or_404(Centre, code=code, parent__isnull=True)
    months = Report.objects.filter(centre=centre, kind=ReportKind.MONTH).order_by("-start")[:12]
    chosen = request.GET.get("month", "")
    report = next((r for r in months if r.start.strftime("%Y-%m") == chosen), None)
    if report is None:
        report = months[0] if months else None
    figures = []
    if report is not None:
        figures = [f for f in report.data["figures"] if f["key"] in PUBLIC_FIGURES]
    return render(
        request,
        "reports/public.html",
        {"centre": centre, "report": report, "months": months, "figures": figures},
    )
