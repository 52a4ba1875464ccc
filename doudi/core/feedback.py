"""Page messages for views that redirect after POST: a form's errors, or an action's outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, QueryDict

from doudi.core.errors import ConflictError, DomainError


def form_errors_to_messages(request: HttpRequest, form: forms.Form, *, prefix: str = "") -> None:
    """Each error as a message, named by its field's label: shown at the top of the page the
    view redirects to, away from the field ("结果说明：此项必填。")."""
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
    *,
    keep: tuple[str, str] | None = None,
) -> bool:
    """Validate ``form``, call ``action`` with its data, and tell the user what happened.
    With ``keep`` (the page and the form's name), a refused form's text is kept for that page
    (``keep_typed``), unless someone else changed the object meanwhile: then the page is to
    be read again."""
    if not form.is_valid():
        form_errors_to_messages(request, form)
    else:
        try:
            action(form.cleaned_data)
        except ConflictError as error:
            messages.warning(request, str(error))
            return False
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success)
            return True
    if keep is not None:
        keep_typed(request, *keep)
    return False


# The text of a refused form, kept in the session for the page the view redirects to.
_TYPED = "typed_form"


def keep_typed(request: HttpRequest, page: str, name: str) -> None:
    """Keep what was typed into the refused form ``name`` for ``page`` (e.g. "workorder:12"),
    so that the page shows it again instead of an empty form. Files cannot be kept: a browser
    never sends them again."""
    data = {k: v for k, v in request.POST.lists() if k != "csrfmiddlewaretoken"}
    request.session[_TYPED] = {"page": page, "name": name, "data": data}


def take_typed(request: HttpRequest, page: str) -> tuple[str, QueryDict] | None:
    """The form name and data kept for ``page``, once; None if nothing was kept for it."""
    kept = request.session.pop(_TYPED, None)
    if not kept or kept.get("page") != page:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    return kept["name"], data
