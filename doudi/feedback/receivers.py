"""The return visit opens when a case is answered; anonymised cases' feedback is scrubbed."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from doudi.cases.models import Case
from doudi.cases.signals import case_moved, cases_anonymised


@receiver(case_moved)
def open_visit_on_answer(sender: Any, case: Case, move: str, **kwargs: Any) -> None:
    if move != "accept":
        return
    from doudi.feedback.actions import visit_open

    visit_open(case=case)


@receiver(cases_anonymised)
def scrub_feedback(sender: Any, names: dict[int, tuple[str, ...]], **kwargs: Any) -> None:
    """Ratings and return visits of anonymised cases: callback phones go, comments are masked."""
    from doudi.cases.actions import scrub_rows_of_cases
    from doudi.feedback.models import Rating, ReturnVisit

    scrub_rows_of_cases(
        Rating.objects.all(),
        case_path="case_id",
        names=names,
        texts=("comment",),
        erase=("callback_phone",),
    )
    scrub_rows_of_cases(
        ReturnVisit.objects.all(), case_path="case_id", names=names, texts=("comment", "note")
    )
