"""The return visit opens when a case is answered; a rectification's fix clock stops then."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from doudi.cases.models import Case
from doudi.cases.signals import case_moved


@receiver(case_moved)
def open_visit_on_answer(sender: Any, case: Case, move: str, **kwargs: Any) -> None:
    if move != "accept":
        return
    from doudi.feedback.actions import visit_open

    visit_open(case=case)
