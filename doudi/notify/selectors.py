"""Reads of the outbox."""

from __future__ import annotations

from datetime import datetime

from doudi.notify.models import Notification


def due_notification_ids(*, now: datetime, limit: int = 500) -> list[int]:
    """Pending rows whose next attempt is due, oldest first (served by the status/due index)."""
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
