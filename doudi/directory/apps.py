from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "doudi.directory"
    label = "directory"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from doudi.directory import receivers  # noqa: F401  (a changed centre or item is dropped)
