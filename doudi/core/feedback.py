"""Turning a form's validation errors into page messages, for views that redirect after POST."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest


def form_errors_to_messages(request: HttpRequest, form: forms.Form, *, prefix: str = "") -> None:
    for field_errors in form.errors.values():
        for message in field_errors:
            messages.error(request, f"{prefix}{message}")
