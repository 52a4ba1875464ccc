"""The daily summary (日报), made at the 12:00 cut-off for the day before."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="12", minute="0"))
def make_daily_summary() -> None:
    from doudi.triage.actions import daily_summary_make

    daily_summary_make(day=timezone.localdate() - timedelta(days=1))
