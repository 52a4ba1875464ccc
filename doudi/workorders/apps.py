from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "doudi.workorders"
    label = "workorders"
    verbose_name = "问题工作单"

    def ready(self) -> None:
        from doudi.audit.actions import audit_events_of
        from doudi.workorders import receivers  # noqa: F401  (ends work orders with their case)
        from doudi.workorders.models import WorkOrderEvent

        audit_events_of(WorkOrderEvent, object_type="work_order", owner="work_order")
