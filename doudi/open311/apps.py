from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "doudi.open311"
    label = "open311"
    verbose_name = "Open311"
