"""Keep a case's index row in step with its text, in the transaction of the change."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from doudi.cases.models import Case
from doudi.core.bulk import rows_created
from doudi.search.actions import INDEXED_FIELDS, index_case, index_registered


def _case_saved(
    sender: Any, instance: Case, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    # A move that changes only the state (most of them) leaves the text as it was.
    if update_fields is None or INDEXED_FIELDS.intersection(update_fields):
        index_case(instance, created=created)


def _cases_created(sender: Any, instances: list[Case], **kwargs: Any) -> None:
    index_registered(instances)


post_save.connect(_case_saved, sender=Case, dispatch_uid="search-case-save")
rows_created.connect(_cases_created, sender=Case, dispatch_uid="search-cases-created")
