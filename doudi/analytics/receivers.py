"""Mark in the roll-up what an action changed: every model a figure reads (docs/metrics.md).

The mark is one insert in the action's own transaction; the figures are recomputed from the
rows when the roll-up is next read (``rollup.apply_marks``).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from doudi.analytics.rollup import case_key, mark, rating_key
from doudi.cases.models import Case
from doudi.core.bulk import rows_created
from doudi.deadlines.models import Clock
from doudi.feedback.models import Rating, ReturnVisit
from doudi.triage.models import Triage
from doudi.workorders.models import Contact, WorkOrder, WorkOrderEvent


def _case(sender: Any, instance: Case, **kwargs: Any) -> None:
    mark([case_key(instance.pk)])


def _cases(sender: Any, instances: list[Case], **kwargs: Any) -> None:
    mark([case_key(case.pk) for case in instances])


def _links(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kw: Any) -> None:
    """The windows or staff a case names changed (``DailyTally`` counts them)."""
    if action.startswith("post_"):
        mark([case_key(pk) for pk in pk_set or ()] if reverse else [case_key(instance.pk)])


def _of_case(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.case_id is not None:
        mark([case_key(instance.case_id)])


def _of_work_order(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender is WorkOrderEvent and instance.kind != "dispute":
        return  # of a work order's events, only a dispute changes a figure
    orders = WorkOrder.objects.filter(pk=instance.work_order_id)
    case_id = orders.values_list("case_id", flat=True).first()
    if case_id is not None:
        mark([case_key(case_id)])


def _rating(sender: Any, instance: Rating, **kwargs: Any) -> None:
    mark([case_key(instance.case_id) if instance.case_id else rating_key(instance.pk)])


_MODELS_OF_A_CASE: tuple[type[Any], ...] = (Triage, WorkOrder, Clock, ReturnVisit)
_MODELS_OF_A_WORK_ORDER: tuple[type[Any], ...] = (WorkOrderEvent, Contact)

for name, signal in (("save", post_save), ("delete", post_delete)):
    signal.connect(_case, sender=Case, dispatch_uid=f"rollup-case-{name}")
    signal.connect(_rating, sender=Rating, dispatch_uid=f"rollup-rating-{name}")
    for model in _MODELS_OF_A_CASE:
        signal.connect(_of_case, sender=model, dispatch_uid=f"rollup-{model.__name__}-{name}")
    for model in _MODELS_OF_A_WORK_ORDER:
        signal.connect(_of_work_order, sender=model, dispatch_uid=f"rollup-{model.__name__}-{name}")
rows_created.connect(_cases, sender=Case, dispatch_uid="rollup-cases-created")
for through in (Case.windows.through, Case.staff.through):
    m2m_changed.connect(_links, sender=through, dispatch_uid=f"rollup-{through.__name__}")
