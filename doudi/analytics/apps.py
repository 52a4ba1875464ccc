from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "doudi.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self) -> None:
        from doudi.analytics import receivers  # noqa: F401  (marks changes for the roll-up)
