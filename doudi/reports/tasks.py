"""The weekly and monthly reports, made at night for the period just ended."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from doudi.reports.actions import reports_make_due


@db_periodic_task(crontab(hour="1", minute="15"))
def make_due_reports() -> int:
    return len(reports_make_due(today=timezone.localdate()))
