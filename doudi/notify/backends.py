"""Delivery backends, one chosen per channel by settings (NOTIFY_SMS_BACKEND, NOTIFY_EMAIL_BACKEND).

A backend's ``send(notification)`` delivers one message and returns the provider's reference
(or ""); any exception means "not delivered" and the caller schedules a retry.
"""

from __future__ import annotations

import json
import logging
import string
import urllib.error
import urllib.request
from collections.abc import Callable
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote_plus, urlparse

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage, get_connection

from doudi.lib.masking import mask_email, mask_phone
from doudi.notify.models import Notification

logger = logging.getLogger(__name__)

SMS_TIMEOUT_SECONDS = 10
DEFAULT_SMS_BODY_TEMPLATE = '{"phone": "$phone", "text": "$text"}'
SMS_TEMPLATE_VARIABLES = frozenset({"phone", "text", "sign", "body"})
# Keys under which common SMS gateways return their message id in a JSON response.
_REFERENCE_KEYS = ("id", "message_id", "messageId", "msgid", "msg_id", "bizId", "BizId", "sid")

_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",  # tests only
}


class DeliveryError(Exception):
    """The provider refused or failed to take the message."""


class Backend(Protocol):
    name: str

    def send(self, notification: Notification) -> str: ...


def backend_for(channel: str) -> Backend:
    if channel == Notification.Channel.SMS:
        kind = settings.NOTIFY_SMS_BACKEND
        sms_backends: dict[str, Callable[[], Backend]] = {
            "console": ConsoleSmsBackend,
            "file": FileSmsBackend,
            "http": HttpSmsBackend,
        }
        if kind not in sms_backends:
            raise ImproperlyConfigured(f"unknown SMS backend {kind!r}")
        return sms_backends[kind]()
    if channel == Notification.Channel.EMAIL:
        return EmailBackend(settings.NOTIFY_EMAIL_BACKEND)
    raise ValueError(f"unknown notification channel {channel!r}")


def signed_text(body: str) -> str:
    """The text as the phone shows it: the signature 【…】 first, as carriers require."""
    return f"{settings.NOTIFY_SMS_SIGN}{body}"


def outbox_dir() -> Path:
    return Path(settings.NOTIFY_OUTBOX_DIR)


class ConsoleSmsBackend:
    """Development: one log line per message, with the number masked."""

    name = "sms.console"

    def send(self, notification: Notification) -> str:
        text = signed_text(notification.body).replace("\n", " ")
        logger.info("SMS to %s: %s", mask_phone(notification.recipient), text)
        return ""


class FileSmsBackend:
    """Development: append one JSON line per message to DATA_DIR/outbox/sms.jsonl.

    A local dev outbox, so it holds the full number; never point production at it.
    """

    name = "sms.file"

    def send(self, notification: Notification) -> str:
        directory = outbox_dir()
        directory.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "id": notification.pk,
                "phone": notification.recipient,
                "text": signed_text(notification.body),
                "template": notification.template,
                "case_id": notification.case_id,
            },
            ensure_ascii=False,
        )
        # One write of one line in append mode: concurrent workers do not interleave lines.
        with (directory / "sms.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return ""


def sms_request_body(
    template: str, content_type: str, *, phone: str, text: str, sign: str, body: str
) -> bytes:
    """Fill the gateway's body template, escaping the values for the body's media type."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    escape: Callable[[str], str]
    if media_type.endswith(("/json", "+json")):
        # json.dumps of a string is a quoted JSON string; the template supplies the quotes.
        escape = lambda value: json.dumps(value)[1:-1]  # noqa: E731
    elif media_type == "application/x-www-form-urlencoded":
        escape = quote_plus
    else:
        escape = str
    values = {"phone": phone, "text": text, "sign": sign, "body": body}
    filled = string.Template(template).substitute({k: escape(v) for k, v in values.items()})
    return filled.encode("utf-8")


def _reference(content: bytes) -> str:
    try:
        data: Any = json.loads(content)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    for key in _REFERENCE_KEYS:
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)[:128]
    return ""


class HttpSmsBackend:
    """An HTTP SMS gateway: POST the filled body template to NOTIFY_SMS_URL; non-2xx fails."""

    name = "sms.http"

    def send(self, notification: Notification) -> str:
        url = settings.NOTIFY_SMS_URL
        if urlparse(url).scheme not in {"http", "https"}:
            raise ImproperlyConfigured("DOUDI_SMS_URL must be an http:// or https:// URL")
        content_type = settings.NOTIFY_SMS_CONTENT_TYPE
        payload = sms_request_body(
            settings.NOTIFY_SMS_BODY_TEMPLATE,
            content_type,
            phone=notification.recipient,
            text=signed_text(notification.body),
            sign=settings.NOTIFY_SMS_SIGN,
            body=notification.body,
        )
        headers = {"Content-Type": content_type, "Accept": "application/json, */*"}
        if settings.NOTIFY_SMS_TOKEN:
            headers["Authorization"] = f"Bearer {settings.NOTIFY_SMS_TOKEN}"
        # The scheme was checked above: only http(s), never file:// or the like.
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=SMS_TIMEOUT_SECONDS) as response:  # noqa: S310
                status: int = response.status
                content: bytes = response.read(65536)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", errors="replace")
            exc.close()
            raise DeliveryError(f"SMS gateway answered HTTP {exc.code}: {detail}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"SMS gateway answered HTTP {status}")
        return _reference(content)


class EmailBackend:
    """E-mail through one of Django's mail backends (console, file, SMTP from EMAIL_* settings)."""

    def __init__(self, kind: str) -> None:
        if kind not in _EMAIL_BACKENDS:
            raise ImproperlyConfigured(f"unknown e-mail backend {kind!r}")
        self.kind = kind
        self.name = f"email.{kind}"

    def send(self, notification: Notification) -> str:
        options: dict[str, Any] = {}
        if self.kind == "file":
            options["file_path"] = str(outbox_dir() / "mail")
        connection = get_connection(backend=_EMAIL_BACKENDS[self.kind], **options)
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        message_id = make_msgid(domain=domain)
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            to=[notification.recipient],
            connection=connection,
            headers={"Message-ID": message_id},
        )
        if message.send() != 1:
            raise DeliveryError(f"mail to {mask_email(notification.recipient)} was not accepted")
        return message_id
