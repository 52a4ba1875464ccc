"""Delivery by the task queue: one task per message, and a sweep for due and retried rows."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from doudi.notify.actions import notification_deliver
from doudi.notify.selectors import due_notification_ids


@db_task()
def deliver_notification(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)


@db_periodic_task(crontab(minute="*"))
def retry_due_notifications() -> int:
    """Queue every pending row that is due: retries after a failure, and rows whose queueing
    was lost between commit and enqueue. A row queued twice is still sent once (the claim)."""
    ids = due_notification_ids(now=timezone.now())
    for notification_id in ids:
        deliver_notification(notification_id)
    return len(ids)
