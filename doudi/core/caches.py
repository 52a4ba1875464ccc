"""Per-process caches (``doudi.lib.ttlcache``) dropped when the rows behind them change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save


def clear_when_changed(clear: Callable[[], None], *senders: type[models.Model], uid: str) -> None:
    """Call ``clear`` when a row of ``senders`` is saved or deleted in this process: now, and
    again once committed (a request in between may have kept the old row). A change made in
    another process is seen when the cache's entries expire."""

    def changed(sender: Any, **kwargs: Any) -> None:
        clear()
        transaction.on_commit(clear)

    for model in senders:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                changed, sender=model, weak=False, dispatch_uid=f"{uid}-{model.__name__}-{name}"
            )
