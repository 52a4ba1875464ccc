from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from doudi.cases.signals import case_left_workflow, cases_anonymised


@receiver(case_left_workflow)
def cancel_open_work_orders(sender: Any, case: Any, actor: Any, **kwargs: Any) -> None:
    from doudi.workorders.actions import work_orders_cancel_for_case

    work_orders_cancel_for_case(case=case, actor=actor)


@receiver(cases_anonymised)
def scrub_work_orders(sender: Any, names: dict[int, tuple[str, ...]], **kwargs: Any) -> None:
    """Work orders of anonymised cases: the reporter's data quoted in them is masked."""
    from doudi.cases.actions import scrub_rows_of_cases
    from doudi.workorders.models import Contact, WorkOrder

    scrub_rows_of_cases(
        WorkOrder.objects.all(), case_path="case_id", names=names, texts=("instructions", "result")
    )
    scrub_rows_of_cases(
        Contact.objects.all(), case_path="work_order__case_id", names=names, texts=("note",)
    )
