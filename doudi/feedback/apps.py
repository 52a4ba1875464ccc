from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "doudi.feedback"
    label = "feedback"
    verbose_name = "好差评与回访"

    def ready(self) -> None:
        from doudi.feedback import receivers  # noqa: F401  (opens return visits)
