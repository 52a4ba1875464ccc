from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from doudi.cases.signals import case_left_workflow


@receiver(case_left_workflow)
def cancel_open_work_orders(sender: Any, case: Any, actor: Any, **kwargs: Any) -> None:
    from doudi.workorders.actions import work_orders_cancel_for_case

    work_orders_cancel_for_case(case=case, actor=actor)
