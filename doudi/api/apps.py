from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "doudi.api"
    label = "api"
    verbose_name = "接口"
