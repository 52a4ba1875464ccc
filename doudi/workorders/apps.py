from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "doudi.workorders"
    label = "workorders"
    verbose_name = "问题工作单"

    def ready(self) -> None:
        from doudi.workorders import receivers  # noqa: F401  (ends work orders with their case)
