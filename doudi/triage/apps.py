from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _seed(sender: Any, *, apps: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: the default taxonomy when there is none. ``migrate`` passes the migration
    state's models; ``flush`` (tests that commit) passes none, and the tables are there."""
    from doudi.triage.actions import taxonomy_seed_defaults

    if apps is not None and not _migrated(apps):
        return
    taxonomy_seed_defaults(using=using)


def _migrated(apps: Any) -> bool:
    """Whether the migration state holds the taxonomy's tables as the code has them. A
    migrate of another app on a fresh database, or to an earlier target, leaves them missing
    or older ("no such table: triage_cause"); a later migrate seeds."""
    from doudi.triage.models import Cause, SolutionPackage

    for model in (Cause, SolutionPackage):
        try:
            state = apps.get_model("triage", model.__name__)
        except LookupError:
            return False
        columns = {field.column for field in state._meta.concrete_fields}
        if columns != {field.column for field in model._meta.concrete_fields}:
            return False
    return True


class TriageConfig(AppConfig):
    name = "doudi.triage"
    label = "triage"
    verbose_name = "分拣"

    def ready(self) -> None:
        # After every migrate (and every test flush): the default taxonomy when there is none.
        post_migrate.connect(_seed, sender=self, dispatch_uid="triage-default-taxonomy")
        from doudi.triage import receivers  # noqa: F401  (suggestions for cases entering triage)
