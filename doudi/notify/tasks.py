"""Delivery by the task queue: one task per message, queued by a request after outbox rows
commit and by a sweep each minute for retried rows and lost requests."""

from __future__ import annotations

import threading
import time

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from doudi.notify.actions import notification_deliver
from doudi.notify.selectors import due_notification_ids

# The rows this worker process has queued and when. A row stays due until its task claims it,
# so while the worker is behind, every kick (two a second under load) and sweep found the rows
# already queued and queued them again: in a soak at 40 cases/s on a slow machine the queue held
# 210,000 tasks for 21,000 rows and never drained (bench/soak.py, 2026-11-28). A row is queued
# again only once its task has run (a failed attempt comes due later) or after QUEUED_FOR
# seconds (its task was lost). Each worker process keeps its own: with several, a row may be
# queued once by each, and the claim still sends it once.
QUEUED_FOR = 300.0
_queued: dict[int, float] = {}
_queued_lock = threading.Lock()


@db_task()
def deliver_notification(notification_id: int) -> None:
    with _queued_lock:
        _queued.pop(notification_id, None)
    notification_deliver(notification_id=notification_id)


def _queue_due() -> int:
    """Queue every pending row that is due and not queued already, one task each (sent in
    parallel by the worker's threads); a row queued twice is still sent once (the claim)."""
    ids = due_notification_ids(now=timezone.now())
    now = time.monotonic()
    with _queued_lock:
        for notification_id, at in list(_queued.items()):
            if now - at >= QUEUED_FOR:
                del _queued[notification_id]
        fresh = [notification_id for notification_id in ids if notification_id not in _queued]
        _queued.update(dict.fromkeys(fresh, now))
    for notification_id in fresh:
        deliver_notification(notification_id)
    return len(fresh)


@db_task()
def deliver_due_notifications() -> int:
    """Asked for after outbox rows commit (notify.actions._kick_delivery)."""
    return _queue_due()


@db_periodic_task(crontab(minute="*"))
def retry_due_notifications() -> int:
    """The sweep: retries after a failure, and rows whose request was lost between commit and
    queueing."""
    return _queue_due()
