from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "doudi.policy"
    label = "policy"
    verbose_name = "疑难杂症"

    def ready(self) -> None:
        from doudi.policy import receivers  # noqa: F401  (a new case is checked for recurrence)
