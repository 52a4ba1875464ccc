"""Sign-ins, sign-outs and failed sign-ins go into the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from doudi.audit.actions import audit_record


def _address(request: HttpRequest | None) -> str:
    return str(request.META.get("REMOTE_ADDR", "")) if request is not None else ""


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(
        actor=user, action="login", object_type="user", object_id=user.pk,
        detail={"ip": _address(request)},
    )  # fmt: skip


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(actor=user, action="logout", object_type="user", object_id=user.pk)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The name tried (never the password: Django has already masked it), and from where.
    audit_record(
        actor=None,
        action="login.failed",
        object_type="user",
        detail={"username": str(credentials.get("username", ""))[:150], "ip": _address(request)},
    )
