"""The daily summary (日报) at the 12:00 cut-off; routing suggestions for cases entering
triage; the nightly retraining of the routing models."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="12", minute="0"))
def make_daily_summary() -> None:
    from doudi.triage.actions import daily_summary_make

    daily_summary_make(day=timezone.localdate() - timedelta(days=1))


@db_task()
def suggest_routing(case_id: int) -> None:
    from doudi.triage.actions import routing_suggest

    routing_suggest(case_id=case_id)


@db_periodic_task(crontab(minute="*/5"))
def suggest_missing_routing() -> int:
    """Suggestions for cases in triage that have none: their task was lost between commit and
    enqueue, or they arrived before the first model."""
    from doudi.triage.actions import routing_suggest
    from doudi.triage.selectors import cases_without_suggestions

    ids = cases_without_suggestions()
    for case_id in ids:
        try:
            routing_suggest(case_id=case_id)
        except Exception:  # one case's failure (a race with its own task) must not stop the rest
            logger.exception("routing suggestions for case %s failed", case_id)
    return len(ids)


@db_periodic_task(crontab(hour="2", minute="30"))
def retrain_routing() -> None:
    from doudi.triage.actions import routing_retrain_if_due

    routing_retrain_if_due()
