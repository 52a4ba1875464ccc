from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "doudi.imports"
    label = "imports"
    verbose_name = "导入"
