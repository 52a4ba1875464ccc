"""A newly registered (or imported open) case is checked against the closed policy issues
above it, after commit and in the task queue (matching is cheap, but the registration should
not wait for it)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from doudi.cases.models import Case
from doudi.cases.signals import cases_imported
from doudi.core.bulk import rows_created
from doudi.core.caches import clear_when_changed
from doudi.lib.ttlcache import TtlCache
from doudi.policy.models import PolicyIssue
from doudi.policy.selectors import closed_issues_over

# Whether a centre has closed issues above it, per process, by centre path: issues close a few
# times a month and cases come in by the hundred a second. An issue saved or deleted in this
# process clears it at once; one closed in another process is seen within CLOSED_TTL seconds.
CLOSED_TTL = 30.0
_closed_over: TtlCache[str, bool] = TtlCache()


def _enqueue(case_id: int) -> None:
    from doudi.policy.tasks import check_recurrence

    check_recurrence(case_id)


def _has_closed_issues(path: str, centre: Any) -> bool:
    return bool(_closed_over.get(path, lambda: closed_issues_over(centre).exists(), CLOSED_TTL))


def _case_saved(sender: Any, instance: Case, created: bool, raw: bool = False, **kw: Any) -> None:
    if created and not raw:
        _check_new([instance])


def _check_new(cases: list[Case]) -> None:
    # An imported open case is new to the centre as a registered one is; a settled one is past.
    # Most centres have no closed issue: no task for them.
    for case in cases:
        if case.is_open and _has_closed_issues(case.centre.path, case.centre):
            transaction.on_commit(partial(_enqueue, case.pk), robust=True)


def _cases_imported(sender: Any, cases: list[Case], **kwargs: Any) -> None:
    _check_new(cases)


def _cases_created(sender: Any, instances: list[Case], **kwargs: Any) -> None:
    """Cases registered together (``core.bulk.insert_new``)."""
    _check_new(instances)


post_save.connect(_case_saved, sender=Case, dispatch_uid="policy-recurrence")
cases_imported.connect(_cases_imported, dispatch_uid="policy-recurrence-imported")
rows_created.connect(_cases_created, sender=Case, dispatch_uid="policy-recurrence-created")
clear_when_changed(_closed_over.clear, PolicyIssue, uid="policy-closed-cache")
