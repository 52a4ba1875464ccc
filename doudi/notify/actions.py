"""Every change to the outbox: enqueue (in the caller's transaction), claim, deliver, resend."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from doudi.core.bulk import insert_new
from doudi.lib.phone import normalise_phone, phone_kind
from doudi.notify import backends
from doudi.notify.models import Notification

if TYPE_CHECKING:
    from doudi.accounts.models import User

logger = logging.getLogger(__name__)

# A claimed row is leased for this long: if the worker dies while sending, the sweep retries it
# after the lease (so a message is sent at least once, and twice only after such a crash).
CLAIM_LEASE = timedelta(minutes=5)
# Waits after the 1st, 2nd, … failed attempt; the last one repeats.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
    timedelta(hours=24),
)
DEFAULT_EMAIL_SUBJECT = "办理进度通知"
_TEMPLATE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_SUBJECT_PREFIX = "subject:"


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    body: str


def retry_delay(attempts: int) -> timedelta:
    """The wait before the next attempt, after ``attempts`` failed ones (1, 5, 30 min, 2 h …)."""
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def render_message(template: str, context: dict[str, Any], *, channel: str) -> RenderedMessage:
    """Render ``notify/<template>.txt`` as plain text.

    Steps: add the defaults every template gets (centre_name, track_url); render (the templates
    turn autoescaping off); drop blank lines and edge spaces; take a first line "subject: …" as
    the e-mail subject (SMS has none).
    """
    if not _TEMPLATE_KEY.match(template):
        raise ValueError(f"bad notification template name {template!r}")
    full_context = {
        "centre_name": settings.NOTIFY_CENTRE_NAME,
        "track_url": settings.NOTIFY_TRACK_URL,
        **context,
    }
    text = render_to_string(f"notify/{template}.txt", full_context)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    subject = ""
    if lines and lines[0].lower().startswith(_SUBJECT_PREFIX):
        subject = lines.pop(0)[len(_SUBJECT_PREFIX) :].strip()
    body = "\n".join(lines)
    if channel == Notification.Channel.SMS:
        return RenderedMessage(subject="", body=body)
    return RenderedMessage(subject=subject or DEFAULT_EMAIL_SUBJECT, body=body)


def _deliverable_address(channel: str, to: str) -> str | None:
    """The normalised address, or None when this channel cannot reach it."""
    if channel == Notification.Channel.SMS:
        phone = normalise_phone(to)
        return phone if phone_kind(phone) == "mobile" else None
    address = to.strip()
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


# When this process may next ask the worker to deliver (by _clock), under its lock.
_clock = time.monotonic
_kick_lock = threading.Lock()
_next_kick = 0.0


def _kick_delivery() -> None:
    """After a commit that left messages in the outbox: ask the worker to deliver what is due.

    With NOTIFY_KICK_SECONDS, the request is queued to run that much later, and this process
    asks again only after that time: the rows it commits meanwhile are committed before the
    request runs, so it finds them too. At a few hundred cases a second, that is one task where
    there were hundreds. With 0, every commit queues its request at once.
    """
    # Imported here: the task module imports this one.
    from doudi.notify.tasks import deliver_due_notifications

    global _next_kick
    delay = settings.NOTIFY_KICK_SECONDS
    if not delay:
        deliver_due_notifications()
        return
    now = _clock()
    with _kick_lock:
        if now < _next_kick:
            return
        _next_kick = now + delay
    deliver_due_notifications.schedule(delay=delay)


@dataclass(frozen=True)
class Notice:
    """A message for the outbox: by ``channel`` to ``to``, from ``template`` and ``context``."""

    channel: str
    to: str
    template: str
    context: dict[str, Any]
    case_id: int | None = None


def notification_enqueue(
    *,
    channel: str,
    to: str,
    template: str,
    context: dict[str, Any],
    case_id: int | None = None,
) -> Notification | None:
    """Write an outbox row in the caller's transaction; it is delivered after that commits
    (_kick_delivery).

    Returns None and writes nothing when there is no address this channel can reach (empty, or
    a landline for SMS). A rollback of the caller's transaction discards the row and the
    delivery. If queueing fails after commit, the periodic sweep still delivers the row.
    """
    written = notifications_enqueue([Notice(channel, to, template, context, case_id)])
    return written[0] if written else None


def notifications_enqueue(notices: Iterable[Notice]) -> list[Notification]:
    """``notification_enqueue`` for several messages, written with one INSERT."""
    rows = [row for row in map(_outbox_row, notices) if row is not None]
    if rows:
        insert_new(rows)
        transaction.on_commit(_kick_delivery, robust=True)
    return rows


def _outbox_row(notice: Notice) -> Notification | None:
    """The unsaved outbox row of a notice, or None when no address of its channel can reach."""
    if notice.channel not in Notification.Channel.values:
        raise ValueError(f"unknown notification channel {notice.channel!r}")
    if not notice.to or not notice.to.strip():
        return None
    address = _deliverable_address(notice.channel, notice.to)
    if address is None:
        logger.info(
            "notification %s skipped: no %s address it can reach", notice.template, notice.channel
        )
        return None
    message = render_message(notice.template, notice.context, channel=notice.channel)
    return Notification(
        channel=notice.channel,
        recipient=address,
        template=notice.template,
        subject=message.subject,
        body=message.body,
        case_id=notice.case_id,
        next_attempt_at=timezone.now(),
    )


def notification_claim(*, notification_id: int, now: datetime | None = None) -> bool:
    """Claim a due row for sending: one conditional UPDATE, so only one worker can win it."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        status=Notification.Status.PENDING,
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + CLAIM_LEASE)
    return claimed == 1


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one outbox row; None when it was not due or another worker has it.

    Steps: claim the row (pending and due → leased); send through the channel's backend,
    outside any transaction; record the outcome: sent, or one more failed attempt with the next
    one due after an exponential wait, or failed for good after NOTIFY_MAX_ATTEMPTS.
    """
    if not notification_claim(notification_id=notification_id):
        return None
    notification = Notification.objects.get(pk=notification_id)
    notification.attempts += 1
    try:
        backend = backends.backend_for(notification.channel)
        notification.backend = backend.name
        reference = backend.send(notification)
    except Exception as exc:
        _record_failure(notification, exc)
        return notification
    notification.status = Notification.Status.SENT
    notification.sent_at = timezone.now()
    notification.provider_ref = reference[:128]
    notification.save(update_fields=["status", "sent_at", "attempts", "backend", "provider_ref"])
    return notification


def _record_failure(notification: Notification, exc: Exception) -> None:
    notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if notification.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        notification.status = Notification.Status.FAILED
        notification.next_attempt_at = timezone.now()
    else:
        notification.next_attempt_at = timezone.now() + retry_delay(notification.attempts)
    notification.save(
        update_fields=["status", "attempts", "next_attempt_at", "last_error", "backend"]
    )
    # The log names the row, not the recipient: the error text may quote the address.
    logger.warning(
        "notification %s attempt %s failed (%s)%s",
        notification.pk,
        notification.attempts,
        type(exc).__name__,
        ", giving up" if notification.status == Notification.Status.FAILED else "",
    )


@transaction.atomic
def notification_resend(*, actor: User | None, notification_ids: Iterable[int]) -> int:
    """Put failed rows back in the queue with a fresh count; returns how many were reset."""
    rows = Notification.objects.filter(
        pk__in=list(notification_ids), status=Notification.Status.FAILED
    )
    ids = list(rows.select_for_update().values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(
        status=Notification.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    if ids:
        transaction.on_commit(_kick_delivery, robust=True)
    logger.info("%s reset %s failed notifications", actor or "a command", len(ids))
    return len(ids)


def notifications_forget_cases(case_ids: Iterable[int]) -> int:
    """Delete the messages about these cases (their texts and addresses are personal data).

    Called when the cases are anonymised at the end of their retention period.
    """
    deleted, _ = Notification.objects.filter(case_id__in=list(case_ids)).delete()
    return deleted
