from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "doudi.notify"
    label = "notify"
    verbose_name = "通知"
