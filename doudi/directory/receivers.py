"""A centre, service item or account changed in this process drops what the directory keeps
(``selectors.active_centre``, ``active_service_item``): now, and again once committed (a
request in between may have kept the old row)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from doudi.directory.models import Centre, ServiceItem
from doudi.directory.selectors import directory_cache_clear


def _changed(sender: Any, **kwargs: Any) -> None:
    directory_cache_clear()
    transaction.on_commit(directory_cache_clear)


for _model in (Centre, ServiceItem, get_user_model()):
    for _signal in (post_save, post_delete):
        _signal.connect(_changed, sender=_model, dispatch_uid=f"directory-{_model.__name__}")
