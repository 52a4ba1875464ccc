"""Page messages for views that redirect after POST: a form's errors, or an action's outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from doudi.core.errors import DomainError


def form_errors_to_messages(request: HttpRequest, form: forms.Form, *, prefix: str = "") -> None:
    """Each error as a message, named by its field's label: shown at the top of the page the
    view redirects to, away from the field ("办理结果：这个字段是必填项。")."""
    for name, field_errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}：" if field is not None and field.label else ""
        for message in field_errors:
            messages.error(request, f"{prefix}{label}{message}")


def act_with_messages(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    success: str,
) -> bool:
    """Validate ``form``, call ``action`` with its data, and tell the user what happened."""
    if not form.is_valid():
        form_errors_to_messages(request, form)
        return False
    try:
        action(form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, success)
    return True
