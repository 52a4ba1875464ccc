"""Delivery by the task queue: one task per message, queued by a request after outbox rows
commit and by a sweep each minute for retried rows and lost requests."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from doudi.notify.actions import notification_deliver
from doudi.notify.selectors import due_notification_ids


@db_task()
def deliver_notification(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)


def _queue_due() -> int:
    """Queue every pending row that is due, one task each (sent in parallel by the worker's
    threads); a row queued twice is still sent once (the claim)."""
    ids = due_notification_ids(now=timezone.now())
    for notification_id in ids:
        deliver_notification(notification_id)
    return len(ids)


@db_task()
def deliver_due_notifications() -> int:
    """Asked for after outbox rows commit (notify.actions._kick_delivery)."""
    return _queue_due()


@db_periodic_task(crontab(minute="*"))
def retry_due_notifications() -> int:
    """The sweep: retries after a failure, and rows whose request was lost between commit and
    queueing."""
    return _queue_due()
