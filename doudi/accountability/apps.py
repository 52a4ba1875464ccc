from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "doudi.accountability"
    label = "accountability"
    verbose_name = "问责"
