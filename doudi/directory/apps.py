from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "doudi.directory"
    label = "directory"
    verbose_name = "组织机构"
