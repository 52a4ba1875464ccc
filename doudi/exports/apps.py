from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "doudi.exports"
    label = "exports"
    verbose_name = "导出"
