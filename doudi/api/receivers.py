"""A token or an account changed in this process drops the tokens it keeps (``token_for``):
now, and again once committed (a request in between may have kept the old row)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from doudi.api.access import live_tokens
from doudi.api.models import ApiToken


def _changed(sender: Any, **kwargs: Any) -> None:
    live_tokens.clear()
    transaction.on_commit(live_tokens.clear)


for _model in (ApiToken, get_user_model()):
    for _signal in (post_save, post_delete):
        _signal.connect(_changed, sender=_model, dispatch_uid=f"api-tokens-{_model.__name__}")
