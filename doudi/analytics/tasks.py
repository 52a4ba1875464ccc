"""Keep the roll-up's marks few, so that a dashboard read rarely has much to apply."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from doudi.analytics.rollup import apply_marks


@db_periodic_task(crontab(minute="*"))
def apply_rollup_marks() -> int:
    return apply_marks()
