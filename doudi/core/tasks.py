"""Periodic housekeeping. The heartbeat lets /healthz tell whether a worker is running."""

from __future__ import annotations

from datetime import UTC, datetime

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, periodic_task

HEARTBEAT_KEY = "doudi:worker-heartbeat"


@periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    HUEY.put(HEARTBEAT_KEY, datetime.now(UTC).isoformat())


@db_periodic_task(crontab(minute="7"))
def purge_rate_counters() -> None:
    from doudi.core.ratelimit import purge_old_counters

    purge_old_counters()
