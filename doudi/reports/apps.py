from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "doudi.reports"
    label = "reports"
    verbose_name = "周报与月报"
