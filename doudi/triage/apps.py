from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: Any, **kwargs: Any) -> None:
    from doudi.triage.actions import taxonomy_seed_defaults

    taxonomy_seed_defaults(using=kwargs.get("using", "default"))


class TriageConfig(AppConfig):
    name = "doudi.triage"
    label = "triage"
    verbose_name = "分拣"

    def ready(self) -> None:
        # After every migrate (and every test flush): the default taxonomy when there is none.
        post_migrate.connect(_seed, sender=self, dispatch_uid="triage-default-taxonomy")
        from doudi.triage import receivers  # noqa: F401  (suggestions for cases entering triage)
