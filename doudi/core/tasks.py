"""Periodic housekeeping. The heartbeat lets /healthz tell whether a worker is running."""

from __future__ import annotations

from datetime import UTC, datetime

from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task

HEARTBEAT_KEY = "doudi:worker-heartbeat"


@periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    HUEY.put(HEARTBEAT_KEY, datetime.now(UTC).isoformat())
