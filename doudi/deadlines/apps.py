from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "doudi.deadlines"
    label = "deadlines"
    verbose_name = "时限与督办"

    def ready(self) -> None:
        from doudi.deadlines import receivers  # noqa: F401  (connects the calendar signal)
