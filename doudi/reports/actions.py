"""Making the weekly and monthly reports: figures computed once, kept, drawn as PDF and Excel.

A report reads what the centre's leader would read on the dashboard for the period (the
centre's subtree), with the previous period beside it, the charts and the rankings.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from doudi.accounts.models import User
from doudi.accounts.roles import Role
from doudi.analytics import selectors
from doudi.analytics.presentation import LABELS, chart_data, present
from doudi.directory.models import Centre
from doudi.lib.periods import Period, period_for
from doudi.reports.models import Report, ReportKind
from doudi.reports.render import report_pdf, report_xlsx


def reports_dir() -> Path:
    return Path(settings.DATA_DIR) / "reports"


def report_period(kind: str, day: date) -> Period:
    """The week (Monday to Sunday) or calendar month holding ``day``."""
    if kind == ReportKind.WEEK:
        return period_for("week", day)
    return period_for("month", day)


def previous_period(kind: str, period: Period) -> Period:
    return report_period(kind, period.start - timedelta(days=1))


def _reader(centre: Centre) -> User:
    """The centre's leader as the figures see one (not saved): the scope of the report."""
    return User(username=f"report-{centre.code}", role=Role.LEADER, scope_centre=centre)


def report_data(centre: Centre, kind: str, period: Period) -> dict[str, Any]:
    reader = _reader(centre)
    filters = selectors.Filters(period=period)
    figures = [present(m) for m in selectors.metrics(reader, filters).values()]
    before = selectors.metrics(reader, selectors.Filters(period=previous_period(kind, period)))
    charts = selectors.breakdowns(reader, filters)
    windows = selectors.window_ranking(reader, filters)
    departments = selectors.department_ranking(reader, filters)
    return {
        "centre": centre.name,
        "kind": str(ReportKind(kind).label),
        "start": period.start.isoformat(),
        "last_day": period.last_day.isoformat(),
        "figures": [
            {**f, "label": str(f["label"]), "previous": present(before[f["key"]])["shown"]}
            for f in figures
        ],
        "chart_data": chart_data(charts),
        "departments_by_cases": charts.departments,
        "windows_by_cases": charts.windows,
        "items_by_cases": charts.items,
        "window_ranking": [
            {
                "name": w.name, "code": w.code, "centre": w.centre, "ratings": w.ratings,
                "rate": w.rate_shown, "cases": w.cases, "findings": w.findings, "model": w.model,
            }
            for w in windows[:15]
        ],
        "department_ranking": [
            {
                "name": d.name, "issued": d.issued, "disputed": d.disputed, "answered": d.answered,
                "on_time_rate": None if d.on_time_rate is None else round(d.on_time_rate, 4),
                "dispute_rate": None if d.dispute_rate is None else round(d.dispute_rate, 4),
            }
            for d in departments[:15]
        ],
        "labels": {key: str(label) for key, label in LABELS.items()},
    }  # fmt: skip


def report_make(*, centre: Centre, kind: str, day: date, now: datetime | None = None) -> Report:
    """Make (or make again) the report of the week or month holding ``day``."""
    period = report_period(kind, day)
    with translation.override("zh-hans"):
        data = report_data(centre, kind, period)
        folder = reports_dir() / centre.code
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{kind}-{period.start.isoformat()}"
        (folder / f"{stem}.pdf").write_bytes(report_pdf(data))
        (folder / f"{stem}.xlsx").write_bytes(report_xlsx(data))
    with transaction.atomic():
        report, _ = Report.objects.update_or_create(
            centre=centre,
            kind=kind,
            start=period.start,
            defaults={
                "end": period.end,
                "made_at": now or timezone.now(),
                "data": data,
                "pdf": f"{centre.code}/{stem}.pdf",
                "xlsx": f"{centre.code}/{stem}.xlsx",
            },
        )
    return report


def reports_make_due(*, today: date) -> list[Report]:
    """The last complete week's and month's reports of every top-level centre that are not
    made yet (run daily, so a day the worker was down is caught up the next)."""
    made = []
    for centre in Centre.objects.filter(parent__isnull=True, is_active=True).order_by("path"):
        for kind in (ReportKind.WEEK, ReportKind.MONTH):
            last = previous_period(kind, report_period(kind, today))
            if not Report.objects.filter(centre=centre, kind=kind, start=last.start).exists():
                made.append(report_make(centre=centre, kind=kind, day=last.start))
    return made
