from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "doudi.api"
    label = "api"
    verbose_name = "接口"

    def ready(self) -> None:
        from doudi.api import receivers  # noqa: F401  (a changed token or account is dropped)
