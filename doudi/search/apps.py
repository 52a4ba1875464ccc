from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "doudi.search"
    label = "search"
    verbose_name = "全文检索"

    def ready(self) -> None:
        from doudi.search import receivers  # noqa: F401  (keeps the index in step with cases)
