"""A case entering triage gets its routing suggestions from the queue, after commit."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from doudi.cases.models import Case
from doudi.cases.signals import case_moved
from doudi.cases.workflow import State


@receiver(case_moved)
def suggest_on_entering_triage(sender: Any, case: Case, move: str, **kwargs: Any) -> None:
    if case.state != State.TRIAGE:
        return
    from doudi.triage.tasks import suggest_routing

    transaction.on_commit(partial(suggest_routing, case.pk), robust=True)
