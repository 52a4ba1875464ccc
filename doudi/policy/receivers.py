"""A newly registered case is checked against the closed policy issues above it, after commit
and in the task queue (matching is cheap, but the registration should not wait for it)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from doudi.cases.models import Case
from doudi.policy.selectors import closed_issues_over


def _enqueue(case_id: int) -> None:
    from doudi.policy.tasks import check_recurrence

    check_recurrence(case_id)


def _case_saved(sender: Any, instance: Case, created: bool, raw: bool = False, **kw: Any) -> None:
    if not created or raw:
        return
    # Most centres have no closed issue: no task for them (one indexed query).
    if closed_issues_over(instance.centre).exists():
        transaction.on_commit(partial(_enqueue, instance.pk), robust=True)


post_save.connect(_case_saved, sender=Case, dispatch_uid="policy-recurrence")
